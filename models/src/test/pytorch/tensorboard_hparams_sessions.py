"""Reads a TensorBoard log directory's hyperparameters as TensorBoard's HParams plugin serves them to its page, and
prints one line per session, tab-separated: its name (the run), then each hyperparameter as NAME=VALUE and each
metric as TAG=VALUE, in name order. Exits non-zero when the plugin refuses the request.
TensorBoardCommandTest runs it on a `kiln train --resume ... --tensorboard` log directory, to check that a resumed run
is one session with its last values:
  /opt/tbvenv/bin/python tensorboard_hparams_sessions.py LOGDIR"""
import json
import sys

from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from tensorboard.plugins.hparams import hparams_plugin
from tensorboard.plugins.scalar import scalars_plugin
from werkzeug.test import Client


def sessions(logdir):
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    context = base_plugin.TBContext(logdir=logdir, data_provider=provider, multiplexer=multiplexer,
                                    plugin_name_to_instance={})
    context.plugin_name_to_instance["scalars"] = scalars_plugin.ScalarsPlugin(context)
    apps = hparams_plugin.HParamsPlugin(context).get_plugin_apps()
    request = {"startIndex": 0, "sliceSize": 1000, "includeMetrics": True,
               "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]}
    response = Client(apps["/session_groups"]).post("/", data=json.dumps(request))
    if response.status_code != 200:
        raise SystemExit("session_groups: %s %s" % (response.status_code, response.get_data(as_text=True)))
    lines = []
    for group in json.loads(response.get_data())["sessionGroups"]:
        hparams = ["%s=%s" % (k, v) for k, v in sorted(group["hparams"].items())]
        metrics = ["%s=%s" % (m["name"]["tag"], m["value"]) for m in
                   sorted(group.get("metricValues", []), key=lambda m: m["name"]["tag"])]
        for session in group["sessions"]:
            lines.append("\t".join([session["name"]] + hparams + metrics))
    return lines


if __name__ == "__main__":
    print("\n".join(sessions(sys.argv[1])))
