"""Reads a TensorBoard log directory's embeddings as TensorBoard's projector plugin serves them to its page, and
prints one line per embedding, tab-separated: run, tensor name, the tensor's rows and columns, the metadata's lines
(0 without) and the sprite's width x height (- without). Exits non-zero when the plugin refuses a run's config or any of its files.
SummaryWriterEmbeddingParityTest runs it on what Kiln wrote, and tensorboard_embedding.py on what PyTorch wrote:
  /opt/tbvenv/bin/python tensorboard_projector_check.py LOGDIR"""
import io
import json
import sys

from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from tensorboard.plugins.projector import projector_plugin
from PIL import Image
from werkzeug.test import Client


def embeddings(logdir):
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    plugin = projector_plugin.ProjectorPlugin(base_plugin.TBContext(logdir=logdir, data_provider=provider))
    apps = plugin.get_plugin_apps()

    def get(route, **query):
        response = Client(apps[route]).get("/", query_string=query)
        if response.status_code != 200:
            raise SystemExit("%s %s: %s %s" % (route, query, response.status_code, response.get_data(as_text=True)))
        return response.get_data()

    lines = []
    for run in json.loads(get(projector_plugin.RUNS_ROUTE)):
        config = json.loads(get(projector_plugin.CONFIG_ROUTE, run=run))
        for embedding in config["embeddings"]:
            name = embedding["tensorName"]
            columns = len(get(projector_plugin.TENSOR_ROUTE, run=run, name=name, num_rows=100000)) // 4
            tensor = projector_plugin._read_tensor_tsv_file(
                projector_plugin._rel_to_abs_asset_path(embedding["tensorPath"], plugin.config_fpaths[run]))
            metadata = get(projector_plugin.METADATA_ROUTE, run=run, name=name).count(b"\n") \
                if embedding.get("metadataPath") else 0
            sprite = "%dx%d" % Image.open(io.BytesIO(get(projector_plugin.SPRITE_IMAGE_ROUTE, run=run, name=name))).size \
                if "sprite" in embedding else "-"
            assert columns == tensor.size, (columns, tensor.shape)
            lines.append("%s\t%s\t%d\t%d\t%d\t%s" % (run, name, tensor.shape[0], tensor.shape[1], metadata, sprite))
    return lines


if __name__ == "__main__":
    print("\n".join(embeddings(sys.argv[1])))
