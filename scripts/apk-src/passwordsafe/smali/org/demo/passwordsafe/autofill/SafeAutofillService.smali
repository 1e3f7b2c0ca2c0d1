.class public Lorg/demo/passwordsafe/autofill/SafeAutofillService;
.super Landroid/service/autofill/AutofillService;
.source "SafeAutofillService.java"

# Test fixture for inspector: an autofill service that never offers anything and saves nothing.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/service/autofill/AutofillService;-><init>()V
    return-void
.end method

.method public onFillRequest(Landroid/service/autofill/FillRequest;Landroid/os/CancellationSignal;Landroid/service/autofill/FillCallback;)V
    .registers 5
    const/4 v0, 0x0
    invoke-virtual {p3, v0}, Landroid/service/autofill/FillCallback;->onSuccess(Landroid/service/autofill/FillResponse;)V
    return-void
.end method

.method public onSaveRequest(Landroid/service/autofill/SaveRequest;Landroid/service/autofill/SaveCallback;)V
    .registers 3
    invoke-virtual {p2}, Landroid/service/autofill/SaveCallback;->onSuccess()V
    return-void
.end method
