.class public Lorg/demo/devicecheck/CheckActivity;
.super Landroid/app/Activity;
.source "CheckActivity.java"

# inspector test fixture: shows one line of text, nothing else.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/widget/TextView;
    invoke-direct {v0, p0}, Landroid/widget/TextView;-><init>(Landroid/content/Context;)V
    const-string v1, "Device Check (inspector test fixture)"
    invoke-virtual {v0, v1}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    invoke-virtual {p0, v0}, Lorg/demo/devicecheck/CheckActivity;->setContentView(Landroid/view/View;)V
    return-void
.end method
