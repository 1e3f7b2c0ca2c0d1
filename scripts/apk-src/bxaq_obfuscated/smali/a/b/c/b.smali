.class public final La/b/c/b;
.super Ljava/lang/Object;
.source "b.java"

# inspector test fixture: a second obfuscated class, empty.

.field public static final a:Ljava/lang/String; = "ok"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
