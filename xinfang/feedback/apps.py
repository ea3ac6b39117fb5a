from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "xinfang.feedback"
    label = "feedback"
    verbose_name = "满意度评价"
