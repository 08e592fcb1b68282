"""The HNSW index of every stored embedding version becomes a half-precision one (halfvec, about
half the memory, the same recall of the top 300); the full-precision index it replaces is
dropped. New versions get theirs from `videos.vector_index.hnsw_index_ensure`."""

from django.db import migrations


def halfvec_indexes(apps, schema_editor):  # noqa: ANN001, ANN201
    from videos.vector_index import hnsw_index_ensure

    VideoEmbedding = apps.get_model("videos", "VideoEmbedding")
    versions = VideoEmbedding.objects.values_list("embedding_version", "dim").distinct()
    for version, dim in versions.order_by("embedding_version"):
        hnsw_index_ensure(embedding_version=version, dim=dim)


class Migration(migrations.Migration):
    dependencies = [("videos", "0002_video_media_key"), ("profiles", "0003_database_extensions")]

    operations = [migrations.RunPython(halfvec_indexes, migrations.RunPython.noop)]
