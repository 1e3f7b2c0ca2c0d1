.class public final Lcom/fenghuo/qzj/FixtureStrings;
.super Ljava/lang/Object;
.source "FixtureStrings.java"

# inspector test fixture: DEX strings verified in BXAQ sample A (IMPLANTS.md §1), under the
# sample's own class namespace. Nothing reads these fields; no file is opened.

.field public static final CJLOG:Ljava/lang/String; = "/Android/cjlog.txt"
.field public static final HASH_LIST:Ljava/lang/String; = "bk_samples.bin"
.field public static final REPORTER:Ljava/lang/String; = "CellHunter Reporter"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
