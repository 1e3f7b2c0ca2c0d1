.class public final Lcom/Android/MFSocket/FixtureStrings;
.super Ljava/lang/Object;
.source "FixtureStrings.java"

# inspector test fixture: carries strings verified for MFSocket (IMPLANTS.md §2: its two listener
# commands, its asset name, its broadcast action) so that string rules have something real to match.
# Nothing calls these methods; no socket is opened.

.field public static final ACTION:Ljava/lang/String; = "com.android.MFSocket.START_ADBDOWNLOAD"
.field public static final ASSET:Ljava/lang/String; = "adbDownload"
.field public static final INFO:Ljava/lang/String; = "4500_BAOKONG_INFO"
.field public static final QUIT:Ljava/lang/String; = "4500_QUIT"

.method private constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
