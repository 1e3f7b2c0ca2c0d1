.class public Lorg/demo/watchbridge/NotificationRelay;
.super Landroid/service/notification/NotificationListenerService;
.source "NotificationRelay.java"

# Test fixture for inspector: a notification listener that ignores every notification.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/service/notification/NotificationListenerService;-><init>()V
    return-void
.end method

.method public onNotificationPosted(Landroid/service/notification/StatusBarNotification;)V
    .registers 2
    return-void
.end method
