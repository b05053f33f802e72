"""What tensorboard_scalars_images.py, tensorboard_media.py and tensorboard_raw.py share: a PyTorch log directory kept
as test resources. save(write, out) runs write(logdir) on a fresh temporary directory, then replaces out with each event
file renamed pytorch.tfevents in its directory, files.txt listing those directories ("." the log directory itself) and
tensorboard_read.txt, what tensorboard_read_check.py prints for the log directory."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def save(write, out):
    tmp = tempfile.mkdtemp()
    write(tmp)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    directories = []
    for path in sorted(glob.glob(os.path.join(tmp, "**", "events.out.tfevents.*"), recursive=True)):
        directory = os.path.relpath(os.path.dirname(path), tmp)
        assert directory not in directories, "two event files in " + directory
        directories.append(directory)
        os.makedirs(os.path.join(out, directory), exist_ok=True)
        shutil.copyfile(path, os.path.join(out, directory, "pytorch.tfevents"))
    with open(os.path.join(out, "files.txt"), "w") as f:
        f.write("".join(d + "\n" for d in directories))
    read = subprocess.run([sys.executable, os.path.join(HERE, "tensorboard_read_check.py"), tmp], check=True,
                          capture_output=True, text=True).stdout
    with open(os.path.join(out, "tensorboard_read.txt"), "w") as f:
        f.write(read)
    shutil.rmtree(tmp)
    print("wrote", os.path.normpath(out), directories, len(read.splitlines()), "lines read back")
