from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "xinfang.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        # The rollup moves with the petitions, in their transactions (petitions.extensions).
        from xinfang.analytics.dispatch import dispatch_accused, dispatch_acted
        from xinfang.analytics.rollup import dirty_acted, dirty_changed, dirty_registered
        from xinfang.analytics.services import tally_petition_acted, tally_petitions_registered
        from xinfang.petitions import extensions

        extensions.on_registered(tally_petitions_registered)
        extensions.on_acted(tally_petition_acted)
        # the rate rollup: the petitions to compute again at the next tick (analytics.rollup)
        extensions.on_registered(dirty_registered)
        extensions.on_acted(dirty_acted)
        extensions.on_changed(dirty_changed)
        # the transfers rollup: the differences the tick folds in (analytics.dispatch)
        extensions.on_acted(dispatch_acted)
        extensions.on_accused(dispatch_accused)
