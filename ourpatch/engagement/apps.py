from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "ourpatch.engagement"
    label = "engagement"
    verbose_name = "Engagement: meetings and community contact"
