"""Decodes every animated image summary (add_video's GIFs) of a TensorBoard log directory with Pillow, away from the
JDK's GIF reader, as TensorBoard's EventAccumulator hands them on: one line per summary, "tag frames duration loop"
(duration in milliseconds a frame, loop 0 for forever), then a line per frame of its RGB bytes, row by row.
SummaryWriterVideoTest holds Kiln's videos to PyTorch's frames (tensorboard_media.py's video_frames.txt) so:
  /opt/tbvenv/bin/python tensorboard_gif_check.py LOGDIR"""
import io
import sys

from PIL import Image, ImageSequence
from tensorboard.backend.event_processing import event_accumulator


def main(logdir):
    accumulator = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.IMAGES: 0})
    accumulator.Reload()
    for tag in sorted(accumulator.Tags()[event_accumulator.IMAGES]):
        for event in accumulator.Images(tag):
            image = Image.open(io.BytesIO(event.encoded_image_string))
            if image.format != "GIF":
                continue
            print(tag, image.n_frames, image.info.get("duration"), image.info.get("loop"))
            for frame in ImageSequence.Iterator(image):
                print(" ".join(str(b) for b in frame.convert("RGB").tobytes()))


if __name__ == "__main__":
    main(sys.argv[1])
