.class public Lcom/fenghuo/accessibilityservice/AutoClickAccessibleService;
.super Landroid/accessibilityservice/AccessibilityService;
.source "AutoClickAccessibleService.java"

# inspector test fixture: an accessibility service that ignores every event and taps nothing.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/accessibilityservice/AccessibilityService;-><init>()V
    return-void
.end method

.method public onAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V
    .registers 2
    return-void
.end method

.method public onInterrupt()V
    .registers 1
    return-void
.end method
