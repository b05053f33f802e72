"""Reads a TensorBoard log directory with TensorBoard's EventMultiplexer, as TensorBoard's plugins see it, and prints
one line per datum, sorted, without wall times: run, kind, tag and step, then scalars' values, images' size and a
digest of their decoded pixels, tensors' plugin, shape and values (pr curves), and the hparams plugin's experiment,
session start (its values sorted by name) and end; then what the HParams plugin serves its page: the experiment (each
hyperparameter's type and discrete domain) and the session groups (values and metrics, without wall times).
tensorboard_scalars_images.py prints it for PyTorch's log
directory, SummaryWriterScalarsImagesParityTest for Kiln's:
  /opt/tbvenv/bin/python tensorboard_read_check.py LOGDIR"""
import hashlib
import io
import json
import sys

from google.protobuf import text_format
from PIL import Image
from tensorboard.backend.event_processing import data_provider, event_accumulator, plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from tensorboard.plugins.hparams import hparams_plugin
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.util import tensor_util
from werkzeug.test import Client


def one_line(message):
    return text_format.MessageToString(message, as_one_line=True)


def hparams_lines(run, tag, content):
    data = hparams_metadata.parse_session_start_info_plugin_data(content) \
        if tag == hparams_metadata.SESSION_START_INFO_TAG else None
    if data is not None:
        values = " ".join("%s=%s" % (k, one_line(data.hparams[k])) for k in sorted(data.hparams))
        return ["%s\thparams\t%s\t%s" % (run, tag, values)]
    if tag == hparams_metadata.EXPERIMENT_TAG:
        return ["%s\thparams\t%s\t%s" % (run, tag, one_line(hparams_metadata.parse_experiment_plugin_data(content)))]
    return ["%s\thparams\t%s\t%s" % (run, tag, one_line(hparams_metadata.parse_session_end_info_plugin_data(content)))]


def datum(plugin, tensor_proto):
    """A scalar's value; an image's size and a digest of its decoded pixels; another tensor's shape and values."""
    values = tensor_util.make_ndarray(tensor_proto)
    if plugin == "scalars":
        return repr(values.item())
    if plugin == "images":
        width, height, png = values
        image = Image.open(io.BytesIO(png))
        return "%sx%s %s %dx%d %s" % (width.decode(), height.decode(), image.mode, image.width, image.height,
                                      hashlib.sha256(image.tobytes()).hexdigest()[:16])
    return "%s %s" % (values.shape, values.reshape(-1).tolist())


def main(logdir):
    multiplexer = plugin_event_multiplexer.EventMultiplexer(size_guidance={event_accumulator.TENSORS: 0})
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    lines = []
    for run in multiplexer.Runs():
        accumulator = multiplexer.GetAccumulator(run)
        # The plugins' multiplexer hands every summary on as a tensor, as TensorBoard's plugins read them.
        for tag in accumulator.Tags()[event_accumulator.TENSORS]:
            plugin = accumulator.SummaryMetadata(tag).plugin_data.plugin_name
            for e in accumulator.Tensors(tag):
                lines.append("%s\t%s\t%s\t%d\t%s" % (run, plugin, tag, e.step, datum(plugin, e.tensor_proto)))
    for run, contents in multiplexer.PluginRunToTagToContent(hparams_metadata.PLUGIN_NAME).items():
        for tag, content in contents.items():
            lines.extend(hparams_lines(run, tag, content))
    print("\n".join(sorted(lines)))
    print("\n".join(hparams_plugin_lines(multiplexer, logdir)))


def without_wall_times(value):
    if isinstance(value, dict):
        return {k: without_wall_times(v) for k, v in value.items() if k != "wallTimeSecs"}
    if isinstance(value, list):
        return [without_wall_times(v) for v in value]
    return value


def hparams_plugin_lines(multiplexer, logdir):
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    plugin = hparams_plugin.HParamsPlugin(base_plugin.TBContext(logdir=logdir, data_provider=provider))
    apps = plugin.get_plugin_apps()
    lines = []
    for route, request in (("/experiment", {"experimentName": ""}),
                           ("/session_groups", {"experimentName": "", "allowedStatuses": ["STATUS_SUCCESS"],
                                                "colParams": [], "startIndex": 0, "sliceSize": 100})):
        response = Client(apps[route]).post("/", data=json.dumps(request), content_type="application/json")
        if response.status_code != 200:
            raise SystemExit("%s: %s %s" % (route, response.status_code, response.get_data(as_text=True)))
        lines.append("hparams plugin %s\t%s" % (route, json.dumps(without_wall_times(response.get_json()),
                                                                   sort_keys=True)))
    return lines


if __name__ == "__main__":
    main(sys.argv[1])
