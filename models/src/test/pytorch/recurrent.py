from parity import *
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def dims_java(dims):
    return ", ".join(str(d) for d in dims)


def run_layer(method, title, java_build, m, batch_first, steps, batch, lengths, with_h0, lstm):
    dims = (batch, steps, m.input_size) if batch_first else (steps, batch, m.input_size)
    states = m.num_layers * (2 if m.bidirectional else 1)
    sdims = (states, batch, m.hidden_size)
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        Recurrent layer = (Recurrent) %s.to(DType.F64);" % java_build)
    keys = load(m)
    emit_load("layer", keys)
    x = tensor(100, *dims)
    print("        Tensor x = tensor(100, %s);" % dims_java(dims))
    h0 = tensor(101, *sdims) if with_h0 else None
    c0 = tensor(102, *sdims) if lstm and with_h0 else None
    if with_h0:
        print("        Tensor h0 = tensor(101, %s);" % dims_java(sdims))
        if lstm:
            print("        Tensor c0 = tensor(102, %s);" % dims_java(sdims))
    state = ("new RecurrentState(h0, c0)" if lstm else "RecurrentState.of(h0)") if with_h0 else "null"
    lens = "null" if lengths is None else "new int[] {%s}" % dims_java(lengths)
    print("        RecurrentOutput out = layer.forward(x, %s, %s);" % (state, lens))
    print("        backward(200, out.output(), out.hN()%s);" % (", out.cN()" if lstm else ""))
    init = (h0, c0) if lstm else h0
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out, st = m(packed, init)
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=steps)
    else:
        out, st = m(x, init)
    outs = [out] + (list(st) if lstm else [st])
    backward(outs, [200, 201, 202])
    print()
    emit_values("output", "out.output()", out)
    emit_values("h_n", "out.hN()", outs[1])
    if lstm:
        emit_values("c_n", "out.cN()", outs[2])
    emit_values("input gradient", "x.grad()", x.grad)
    if with_h0:
        emit_values("h_0 gradient", "h0.grad()", h0.grad)
        if lstm:
            emit_values("c_0 gradient", "c0.grad()", c0.grad)
    emit_grads("layer", m)
    end_test()


run_layer("stackedBidirectionalBatchFirstGruWithLengthsMatchesPyTorch",
          "torch.nn.GRU(3, 2, num_layers=2, bidirectional=True, batch_first=True) on pack_padded_sequence(x, [2, 3], batch_first=True, enforce_sorted=False)",
          "GRU.builder(3, 2).layers(2).bidirectional(true).batchFirst(true).build()",
          torch.nn.GRU(3, 2, num_layers=2, bidirectional=True, batch_first=True), True, 3, 2, [2, 3], True, False)
run_layer("gruFromZeroStateMatchesPyTorch", "torch.nn.GRU(2, 3)(x)", "new GRU(2, 3)",
          torch.nn.GRU(2, 3), False, 3, 2, None, False, False)
run_layer("stackedBidirectionalLstmWithLengthsMatchesPyTorch",
          "torch.nn.LSTM(3, 2, num_layers=2, bidirectional=True) on pack_padded_sequence(x, [2, 3], enforce_sorted=False)",
          "LSTM.builder(3, 2).layers(2).bidirectional(true).build()",
          torch.nn.LSTM(3, 2, num_layers=2, bidirectional=True), False, 3, 2, [2, 3], True, True)
run_layer("batchFirstLstmWithoutBiasMatchesPyTorch", "torch.nn.LSTM(2, 3, batch_first=True, bias=False)",
          "LSTM.builder(2, 3).batchFirst(true).bias(false).build()",
          torch.nn.LSTM(2, 3, batch_first=True, bias=False), True, 3, 2, None, True, True)
run_layer("stackedBidirectionalTanhRnnWithLengthsMatchesPyTorch",
          "torch.nn.RNN(3, 2, num_layers=2, bidirectional=True, batch_first=True) on pack_padded_sequence(x, [3, 1], batch_first=True, enforce_sorted=False)",
          "RNN.builder(3, 2).layers(2).bidirectional(true).batchFirst(true).build()",
          torch.nn.RNN(3, 2, num_layers=2, bidirectional=True, batch_first=True), True, 3, 2, [3, 1], True, False)
run_layer("reluRnnWithoutBiasMatchesPyTorch", "torch.nn.RNN(2, 3, nonlinearity='relu', bias=False)",
          "RNN.builder(2, 3).nonlinearity(\"relu\").bias(false).build()",
          torch.nn.RNN(2, 3, nonlinearity='relu', bias=False), False, 3, 2, None, True, False)


def run_cell(method, title, java_build, m, lstm):
    print("    @Test")
    print("    void %s() {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        %s cell = (%s) %s.to(DType.F64);" % (type(m).__name__, type(m).__name__, java_build))
    keys = load(m)
    emit_load("cell", keys)
    print("        Tensor x = tensor(100, 2, %d);" % m.input_size)
    print("        Tensor h = tensor(101, 2, %d);" % m.hidden_size)
    x = tensor(100, 2, m.input_size)
    h = tensor(101, 2, m.hidden_size)
    if lstm:
        print("        Tensor c = tensor(102, 2, %d);" % m.hidden_size)
        print("        F.LstmState next = cell.forward(x, h, c);")
        print("        backward(200, next.h(), next.c());")
        c = tensor(102, 2, m.hidden_size)
        h1, c1 = m(x, (h, c))
        backward([h1, c1], [200, 201])
        print()
        emit_values("h'", "next.h()", h1)
        emit_values("c'", "next.c()", c1)
    else:
        print("        Tensor next = cell.forward(x, h);")
        print("        backward(200, next);")
        h1 = m(x, h)
        backward([h1], [200])
        print()
        emit_values("h'", "next", h1)
    emit_values("input gradient", "x.grad()", x.grad)
    emit_values("h gradient", "h.grad()", h.grad)
    if lstm:
        emit_values("c gradient", "c.grad()", c.grad)
    emit_grads("cell", m)
    end_test()


run_cell("gruCellMatchesPyTorch", "torch.nn.GRUCell(3, 2)", "new GRUCell(3, 2)", torch.nn.GRUCell(3, 2), False)
run_cell("lstmCellMatchesPyTorch", "torch.nn.LSTMCell(3, 2)", "new LSTMCell(3, 2)", torch.nn.LSTMCell(3, 2), True)
