.class public final La/b/c/a;
.super Ljava/lang/Object;
.source "a.java"

# inspector test fixture: DEX strings verified in BXAQ sample A (IMPLANTS.md §1) in an obfuscated
# class, as ProGuard/R8 would leave them. Nothing reads these fields.

.field public static final a:Ljava/lang/String; = "MobileHunter"
.field public static final b:Ljava/lang/String; = "/wifiscan sm "
.field public static final c:Ljava/lang/String; = "7d91e4315304ba"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
