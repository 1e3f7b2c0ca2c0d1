.class public final Lcom/fiberhome/wifiserver/FixtureStrings;
.super Ljava/lang/Object;
.source "FixtureStrings.java"

# inspector test fixture: carries DEX strings verified in BXAQ sample A (IMPLANTS.md §1) so that
# string rules have something real to match. Nothing calls these methods; no file is opened.

.field public static final CJLOG:Ljava/lang/String; = "/Android/cjlog.txt"
.field public static final CJLOG_PLAIN:Ljava/lang/String; = "/cjlog_plain.txt"
.field public static final HASH_LIST:Ljava/lang/String; = "bk_samples.bin"
.field public static final REPORTER:Ljava/lang/String; = "CellHunter Reporter"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static all()[Ljava/lang/String;
    .registers 3
    const/4 v0, 0x4
    new-array v0, v0, [Ljava/lang/String;
    const/4 v1, 0x0
    const-string v2, "CellHunter Reporter"
    aput-object v2, v0, v1
    const/4 v1, 0x1
    const-string v2, "/Android/cjlog.txt"
    aput-object v2, v0, v1
    const/4 v1, 0x2
    const-string v2, "/cjlog_plain.txt"
    aput-object v2, v0, v1
    const/4 v1, 0x3
    const-string v2, "bk_samples.bin"
    aput-object v2, v0, v1
    return-object v0
.end method
