.class public Lkernal/idcard/android/RecogService;
.super Landroid/app/Service;
.source "RecogService.java"

# inspector test fixture: stands in for the wintone OCR service; binds to nothing.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 2
    const/4 v0, 0x0
    return-object v0
.end method
