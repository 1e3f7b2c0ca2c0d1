.class public final Lcom/android/systemservice/sync/a;
.super Ljava/lang/Object;
.source "a.java"

# inspector test fixture: MFSocket's listener commands and asset name (IMPLANTS.md §2, verified).
# Nothing reads these fields; no socket is opened.

.field public static final a:Ljava/lang/String; = "4500_BAOKONG_INFO"
.field public static final b:Ljava/lang/String; = "4500_QUIT"
.field public static final c:Ljava/lang/String; = "adbDownload"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
