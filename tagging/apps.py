from django.apps import AppConfig


class TaggingConfig(AppConfig):
    name = "tagging"
    verbose_name = "Tagging"

    def ready(self) -> None:
        # The tagging app plugs into three extension points of the videos app below it: every
        # card shows the video's tags, the pipeline's tag step runs this app's tagger, and a
        # hashtag's page links the tag of the same name.
        from tagging.card_tags import CARD_TAGS
        from tagging.receivers import on_caption_edited
        from tagging.selectors import hashtag_tag_link
        from tagging.services.assign import video_tag_slugs_assign
        from videos.cards import card_field_register
        from videos.events import caption_edited
        from videos.pipeline.steps import tagger_register
        from videos.selectors.hashtags import hashtag_link_register

        card_field_register(CARD_TAGS)
        tagger_register(video_tag_slugs_assign)
        hashtag_link_register("tag", hashtag_tag_link)
        caption_edited.connect(on_caption_edited, dispatch_uid="tagging.caption_edited")
