from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ourpatch.audit"
    label = "audit"
    verbose_name = "Audit log"
