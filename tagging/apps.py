from django.apps import AppConfig


class TaggingConfig(AppConfig):
    name = "tagging"
    verbose_name = "Tagging"

    def ready(self) -> None:
        # The tagging app plugs into two extension points of the videos app below it: every
        # card shows the video's tags, and the pipeline's tag step runs this app's tagger.
        from tagging.card_tags import CARD_TAGS
        from tagging.services.assign import video_tag_slugs_assign
        from videos.cards import card_field_register
        from videos.pipeline.steps import tagger_register

        card_field_register(CARD_TAGS)
        tagger_register(video_tag_slugs_assign)
