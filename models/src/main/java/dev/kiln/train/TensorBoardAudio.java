package dev.kiln.train;

import com.google.protobuf.ByteString;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * PyTorch 1.13's {@code add_audio}: the sound as a WAV file of 16-bit mono PCM (what Python's {@code wave} module
 * writes), each sample {@code (short) (v * 32767)} truncated toward zero after clipping to [-1, 1], computed in the
 * tensor's precision (float for F32, double otherwise), in a {@code Summary.Audio} with content type
 * {@code audio/wav}.
 */
final class TensorBoardAudio {
    // Summary.Value's audio, and Summary.Audio's fields
    private static final int AUDIO = 6;
    private static final int SAMPLE_RATE = 1;
    private static final int NUM_CHANNELS = 2;
    private static final int LENGTH_FRAMES = 3;
    private static final int ENCODED_AUDIO_STRING = 4;
    private static final int CONTENT_TYPE = 5;
    private static final int PCM = 1;
    private static final int BYTES_PER_SAMPLE = 2;
    /** The RIFF header's bytes before the samples. */
    private static final int HEADER = 44;

    private TensorBoardAudio() {
    }

    /**
     * The audio event of {@code snd} [L] or [1, L], L at least 1, no NaN.
     *
     * @throws IllegalArgumentException naming the tag and the shape, a NaN or the sample rate
     */
    static byte[] event(double wallTime, long step, String tag, Tensor snd, int sampleRate) {
        int[] dims = snd.shape().dims();
        if (!(dims.length == 1 || dims.length == 2 && dims[0] == 1) || dims[dims.length - 1] < 1) {
            throw new IllegalArgumentException("audio '" + tag + "': snd must be [L] or [1, L] with L at least 1, got "
                    + Arrays.toString(dims));
        }
        if (sampleRate < 1) {
            throw new IllegalArgumentException("audio '" + tag + "': sampleRate must be at least 1 Hz, got "
                    + sampleRate);
        }
        short[] samples = samples(tag, snd);
        byte[] wav = wav(samples, sampleRate);
        byte[] audio = TensorBoardEvent.message(out -> {
            out.writeFloat(SAMPLE_RATE, sampleRate);
            out.writeInt64(NUM_CHANNELS, 1);
            out.writeInt64(LENGTH_FRAMES, samples.length);
            out.writeBytes(ENCODED_AUDIO_STRING, ByteString.copyFrom(wav));
            out.writeString(CONTENT_TYPE, "audio/wav");
        });
        return TensorBoardEvent.summary(wallTime, step, TensorBoardEvent.value(tag,
                out -> out.writeByteArray(AUDIO, audio)));
    }

    private static short[] samples(String tag, Tensor snd) {
        boolean f32 = snd.dtype() == DType.F32;
        double[] v = snd.toDoubleArray();
        short[] samples = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                // NumPy casts NaN to an arbitrary sample; a sound has none.
                throw new IllegalArgumentException("audio '" + tag + "': snd holds NaN at " + i);
            }
            double clipped = Math.max(-1, Math.min(1, v[i]));
            samples[i] = f32 ? (short) ((float) clipped * Short.MAX_VALUE) : (short) (clipped * Short.MAX_VALUE);
        }
        return samples;
    }

    /** A WAV file: the RIFF header of one channel of 16-bit PCM at {@code sampleRate}, then the samples. */
    private static byte[] wav(short[] samples, int sampleRate) {
        int data = samples.length * BYTES_PER_SAMPLE;
        ByteBuffer b = ByteBuffer.allocate(HEADER + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(HEADER - 8 + data);
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) PCM).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * BYTES_PER_SAMPLE);
        b.putShort((short) BYTES_PER_SAMPLE).putShort((short) (8 * BYTES_PER_SAMPLE));
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }
}
