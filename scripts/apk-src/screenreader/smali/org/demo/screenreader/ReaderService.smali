.class public Lorg/demo/screenreader/ReaderService;
.super Landroid/accessibilityservice/AccessibilityService;
.source "ReaderService.java"

# Test fixture for inspector: an accessibility service that ignores every event.

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
