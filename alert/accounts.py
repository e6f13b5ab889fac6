"""Password links from the sign-in page: Django's own reset views, throttled.

The four pages are Django's (``PasswordResetView`` and the done, confirm and
complete views) with templates in the site's look; the request form reaches
people who have not set a password yet (``reporting.people.PasswordLinkForm``)
and is limited like sign-in attempts (``alert.security.password_link_allowed``).
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from alert.security import password_link_allowed
from reporting.people import PasswordLinkForm


class PasswordLinkView(auth_views.PasswordResetView):
    form_class = PasswordLinkForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if not password_link_allowed(self.request, form.cleaned_data["email"]):
            # The same answer whether or not the address has an account.
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().form_valid(form)


urlpatterns = [
    path("password-reset/", PasswordLinkView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
