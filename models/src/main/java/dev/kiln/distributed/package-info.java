/**
 * Data-parallel training on several processes of one or more machines, PyTorch's {@code torch.distributed} with the
 * gloo backend: a {@link dev.kiln.distributed.ProcessGroup} over TCP ({@link dev.kiln.distributed.Distributed}), its
 * collectives on tensors, {@link dev.kiln.distributed.DistributedDataParallel} and
 * {@link dev.kiln.distributed.DistributedSampler}. Tensors travel as host arrays, read and written back through the
 * Tensor API, so any backend works.
 */
package dev.kiln.distributed;
