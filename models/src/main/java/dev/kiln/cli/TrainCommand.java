package dev.kiln.cli;

import dev.kiln.data.Augmentation;
import dev.kiln.data.BatchAugmentation;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Datasets;
import dev.kiln.data.WeightedRandomSampler;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Precision;
import dev.kiln.g2p.G2pModels;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.Optimizers;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.OneCycleLR;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.LearningRateFinder;
import dev.kiln.train.SummaryWriter;
import dev.kiln.train.TensorBoardListener;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code kiln train MODEL ...}: trains a zoo model on MNIST, Fashion-MNIST or a user's own images or CSV rows and
 * writes a run directory.
 */
final class TrainCommand {
    private static final List<String> SCHEDULES = List.of("none", "cosine", "onecycle");
    private static final String FIND_LR = "find-lr";
    private static final String BALANCE_CLASSES = "balance-classes";
    private static final String DROP_LAST = "drop-last";
    private static final String TENSORBOARD_HISTOGRAMS = "tensorboard-histograms";
    private static final String TENSORBOARD_EMBEDDINGS = "tensorboard-embeddings";
    static final String HELP = """
            Usage: kiln train MODEL [options]      MODEL: mlp (784-512-512-10 on MNIST; any shape),
                                           resnet18 (CIFAR ResNet-18; any image C x H x W),
                                           and for MNIST-shaped 1x28x28 images only: lenet (a LeNet-style
                                           conv net), resnet (3 stages of one basic block with batch norm),
                                           resnet14 (the same with two blocks per stage),
                                           lstm (rows as 28 steps, LSTM 128), gru, rnn (the same with
                                           a GRU or a tanh RNN), transformer (rows as 28
                                           tokens, 2 encoder layers of width 64); g2p (CMUdict spelling to
                                           phonemes, its own options: kiln train g2p --help)
              --data mnist|fashion-mnist|folder:DIR|csv:DIR
                                           data set (default mnist); your own: folder:DIR reads DIR/train
                                           and DIR/test, each with a folder per class (DIR/train/cat/1.png;
                                           PNG, JPEG, BMP, GIF); csv:DIR reads DIR/train.csv and DIR/test.csv,
                                           a header row, a label column and numeric features. Train and test
                                           must have the same classes (sorted folder names or labels)
              --data-dir DIR               root of mnist and fashion-mnist (default: $KILN_DATA, ~/.kiln/data,
                                           ../shared/data)
              --channels 1|3               folder: images as grey (1) or RGB (3) (default 3)
              --image-size HxW             folder: scale every image to H x W pixels, bilinear (default: the
                                           images' own size, which all of them must have)
              --label NAME                 csv: the label column's header (default the first column)
              --shape C,H,W                csv: the shape of a row's features, e.g. 1,28,28 for images
                                           (default: a vector of every column but the label)
              --scale X                    csv: multiply every feature by X, e.g. 0.00392156862745098 (1/255)
                                           for grey levels 0..255 (default 1)
              --epochs N                   the last epoch to train, counted over the whole run: with
                                           --resume, the total, not the epochs to add (default 5)
              --batch B                    batch size (default 128)
              --drop-last                  skip each epoch's last batch when it is smaller than --batch
              --lr X                       learning rate (default 0.001)
              --optimizer NAME             sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, nadam,
                                           radam, adamax, adadelta, lbfgs, rprop, asgd (default adam); lbfgs
                                           (with the strong-Wolfe line search, up to 20 iterations a batch, no
                                           weight decay) suits small data in a few large batches, with --lr 1;
                                           rprop (no weight decay) suits full batches
              --weight-decay X             weight decay (default 0, for adamw 0.01; decoupled for adamw, L2
                                           for the others)
              --dropout P                  dropout after each hidden layer (default 0; for lstm, gru
                                           and rnn: on the last hidden state)
              --train-size N               train on a seeded random N of the training images, N >= 1
                                           (default: all of them)
              --per-class N                train on a seeded random N images of each class instead
              --balance-classes            draw training images weighted 1 / class size: classes equally often
              --augment LIST               random changes to each training image, comma-separated, applied in
                                           order: shift (moves of up to 2 pixels, zero border), flip (mirror
                                           left to right, half the time; for clothing, not digits), crop
                                           (pad by 2 pixels for images up to 28x28, 4 for larger, and crop
                                           back at a random offset), rotate (turn by up to 10 degrees either
                                           way), erase (blank a random rectangle, half the time), affine
                                           (turn up to 10 degrees, move up to a tenth of the size, scale by
                                           0.9 to 1.1), blur (Gaussian, 3x3, sigma 0.1 to 2), and
                                           torchvision's policies with their defaults: autoaugment
                                           (AutoAugment, IMAGENET policy), randaugment, trivialaugment
                                           (TrivialAugmentWide) and augmix, and AutoAugment's CIFAR-10 and
                                           SVHN policies: autoaugment-cifar10, autoaugment-svhn (default
                                           none)
              --mixup ALPHA                MixUp each training batch (torchvision v2's MixUp(alpha=ALPHA)):
                                           blend every image and its one-hot label with the batch's next
                                           one, lambda ~ Beta(ALPHA, ALPHA) per batch (1 is the usual)
              --cutmix ALPHA               CutMix each training batch (torchvision v2's CutMix(alpha=ALPHA)):
                                           paste a random box of the batch's next image into every image,
                                           labels mixed by area; with --mixup, one of the two per batch,
                                           half the time each. Per-epoch training accuracy then counts each
                                           mixed label's larger class; test accuracy is on clean images
              --workers N                  threads that assemble the training batches (reading the images and
                                           --augment) side by side, PyTorch's num_workers: more help when
                                           augmenting outpaces training; the batches are the same for any N
                                           (default 1)
              --validation-split F         hold out this share of the training set for validation and
                                           early stopping (default 0: the test set is reported per epoch)
              --patience N                 early stopping patience in epochs (needs --validation-split); the
                                           best epoch's weights are restored and kept in DIR/best.safetensors
              --min-delta X                with --patience: an epoch improves only when its validation loss is
                                           more than X below the best so far (default 0)
              --clip X                     clip the gradients' joint L2 norm to X before every step
                                           (default: no clipping)
              --accumulate N               sum the gradients of N batches before each step, each loss / N: the
                                           step of a batch N times larger in one batch's memory (default 1)
              --schedule none|cosine|onecycle
                                           learning rate: constant; cosine annealing from --lr to 0 over
                                           --epochs, a step per epoch; or PyTorch's OneCycleLR with --lr as its
                                           max_lr, a step per optimizer step: from --lr/25 up to --lr over the
                                           first 30% of the run's steps, then down to --lr/250000, the
                                           momentum or Adam's beta1 from 0.95 to 0.85 and back (default none;
                                           a cosine or onecycle run resumes with its --epochs)
              --precision fp32|bf16|f16    matrix products and convolutions in full F32, or with bfloat16 or
                                           IEEE half operands and F32 accumulation (mixed precision; weights,
                                           gradients and optimizer state stay F32); f16 scales the loss with
                                           a GradScaler, as PyTorch's AMP (default fp32)
              --cuda-graphs on|off         on a GPU, replay each training step's forward and backward pass as
                                           a recorded CUDA graph (skips a partial last batch; no dropout)
                                           (default off)
              --seed S                     random seed (default 1)
              --out DIR                    run directory: checkpoint, metrics.csv, metrics.json,
                                           training.png (default: a new folder per run, runs/MODEL-DATA, then
                                           runs/MODEL-DATA-2, -3, ..., DATA the data set's name or DIR's, said
                                           at the start; with --resume, the checkpoint's directory). A DIR
                                           that holds another run's checkpoint is refused
              --overwrite                  let --out DIR replace the run it holds
              --resume FILE                continue from a checkpoint written by an earlier run, with the
                                           same options (model, data and its options, optimizer, lr, weight
                                           decay, dropout, schedule, augment, mixup, cutmix, clip,
                                           accumulate, balance classes, drop last, cuda graphs, batch, seed,
                                           train size, per class and validation split); --epochs may be raised.
                                           Ctrl-C (or SIGTERM) stops a run at once, keeping the last complete
                                           checkpoint, and prints the kiln train ... --resume FILE to continue
              --find-lr                    instead of training, a learning-rate range test (PyTorch Lightning's
                                           lr_find) of the model's fresh weights with the optimizer, data, batch,
                                           precision and clip given: a step per batch at rates rising
                                           exponentially from 1e-8 to 1, stopped when the smoothed loss passes
                                           4 times its lowest; writes DIR/lr_find.png and DIR/lr_find.csv and
                                           suggests the rate where the smoothed loss falls fastest, for --lr.
                                           Nothing is trained or kept (not with --resume, --accumulate,
                                           --schedule, --epochs or --patience)
              --find-lr-steps N            the range test's steps, at least 2 (default 100); a suggestion
                                           needs 13 (the first 10 and the last are left out)
              --tensorboard DIR            also log the run for TensorBoard (tensorboard --logdir DIR): an
                                           event file in DIR/RUN, RUN the --out directory's name, with each
                                           batch's loss (loss/train_step), each epoch's number (epoch), train
                                           and test (or val) loss, accuracy and top-5, lr and samples_per_s,
                                           the options and why training stopped as text, and the model's
                                           graph (as exported to ONNX); the step is the batches trained so
                                           far, an epoch's figures at its last batch's; appended as training
                                           goes and flushed after every epoch. With --resume a new file hides
                                           what earlier runs logged past the checkpoint's step (PyTorch's
                                           purge_step). At the end, the hyperparameters (model, data,
                                           optimizer, lr, batch, epochs, weight_decay, dropout, schedule,
                                           augment, clip, accumulate, patience, precision, seed) with
                                           hparam/test_accuracy and hparam/test_loss for the HParams tab, in
                                           DIR/RUN/TIME as PyTorch's add_hparams writes them; with --resume
                                           in the TIME of the run it continues, replacing them (default off)
              --tensorboard-histograms     with --tensorboard: also every parameter's weights and gradients
                                           (the epoch's last step's) as histograms after each epoch
              --tensorboard-embeddings N   with --tensorboard: after training, the features of the first N
                                           test examples (the input of the model's last layer) for the
                                           Projector tab, with their labels and predicted classes and, for
                                           images, a sprite of them: DIR/RUN/STEP/test and
                                           DIR/RUN/projector_config.pbtxt, as PyTorch's add_embedding writes
                                           them (default off)
            """ + DistributedTraining.HELP + ProfiledSteps.HELP + """
            The last line printed is one JSON object with the final figures (also DIR/metrics.json);
            its train_accuracy is measured in evaluation mode (no dropout) after training. epochs is the
            last epoch trained; its test and train figures are of the weights evaluated_weights names:
            last, or best (with --patience) for the restored best_epoch's, as in DIR/best.safetensors.
            With --find-lr it holds suggested_lr (null when there is none) and the steps run. A run of
            several ranks adds world_size, and its samples_per_s counts every rank's images.
            """;

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("name a model: kiln train MODEL, one of " + ClassifierModels.names());
        }
        String modelName = args[0];
        if (modelName.equals(G2pModels.MODEL)) {
            return G2pTrainCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out);
        }
        Options o = Options.parse(java.util.Arrays.copyOfRange(args, 1, args.length),
                Set.of(FIND_LR, BALANCE_CLASSES, DROP_LAST, TENSORBOARD_HISTOGRAMS, ProfiledSteps.MEMORY, RunDirectory.OVERWRITE));
        ClassificationData data = ClassificationData.fromOptions(o);
        int epochs = o.getPositiveInt("epochs", 5);
        int batch = o.getPositiveInt("batch", 128);
        double lr = o.getNonNegativeDouble("lr", 1e-3);
        String optimizerName = o.get("optimizer", "adam");
        Double weightDecay = o.has("weight-decay") ? o.getDouble("weight-decay", 0) : null;
        double dropout = o.getDouble("dropout", 0);
        double validationSplit = o.getDouble("validation-split", 0);
        int patience = o.getInt("patience", 0);
        double minDelta = o.getNonNegativeDouble("min-delta", 0);
        Double clip = o.has("clip") ? o.getPositiveDouble("clip", 1) : null;
        int accumulate = o.getPositiveInt("accumulate", 1);
        long seed = o.getInt("seed", 1);
        String resume = o.get("resume", null);
        String outOption = o.get("out", null);
        boolean overwrite = o.flag(RunDirectory.OVERWRITE);
        String schedule = o.get("schedule", "none");
        DataOptions.Sampling sampling = DataOptions.sampling(o);
        String augmentName = o.get("augment", "none");
        int workers = o.getPositiveInt("workers", 1);
        Double mixup = o.has("mixup") ? o.getPositiveDouble("mixup", 1) : null;
        Double cutmix = o.has("cutmix") ? o.getPositiveDouble("cutmix", 1) : null;
        List<String> augmentations = DataOptions.augmentations(augmentName);
        Precision precision = precision(o);
        boolean cudaGraphs = o.getOnOff("cuda-graphs", false);
        boolean findLr = o.flag(FIND_LR);
        boolean balanceClasses = o.flag(BALANCE_CLASSES);
        boolean dropLast = o.flag(DROP_LAST);
        Integer findLrSteps = o.has("find-lr-steps") ? o.getInt("find-lr-steps", LearningRateFinder.DEFAULT_STEPS) : null;
        String tensorboard = o.get("tensorboard", null);
        boolean tensorboardHistograms = o.flag(TENSORBOARD_HISTOGRAMS);
        Integer tensorboardEmbeddings = o.has(TENSORBOARD_EMBEDDINGS) ? o.getPositiveInt(TENSORBOARD_EMBEDDINGS, 1)
                : null;
        Integer nproc = o.has("nproc") ? o.getPositiveInt("nproc", 1) : null;
        DistributedTraining distributed = DistributedTraining.fromOptions(o);
        ProfiledSteps profiledSteps = ProfiledSteps.fromOptions(o, out);
        o.rejectUnknown();
        if (profiledSteps != null && (nproc != null || distributed.distributed())) {
            throw new IllegalArgumentException("--" + ProfiledSteps.TRACE + " does not work with --world-size/--nproc:"
                    + " every rank is a JVM of its own and would write its trace to the one FILE; profile a run of one"
                    + " process");
        }
        // The launcher (or a single process, or rank 0) claims a new run's folder and says where the run goes; the
        // launcher hands its folder to the ranks, and other ranks, which write nothing there, only name it.
        Path outDir = RunDirectory.choose(RunDirectory.TRAIN, outOption, resume,
                overwrite || findLr && outOption != null,
                Path.of("runs", modelName + "-" + data.runName()), distributed.rankZero() ? out : null,
                distributed.rankZero());
        if (nproc != null) {
            distributed.refuse(true, "--nproc", "it starts the ranks and gives each its --world-size, --rank and"
                    + " --master");
            return DistributedLauncher.launch(DistributedLauncher.inFolder(List.of(args), outDir), nproc, out);
        }
        distributed.refuse(findLr, "--find-lr", "the range test runs in one process");
        distributed.refuse(balanceClasses, "--balance-classes", "each rank draws its share of a shuffle instead");
        distributed.refuse(cudaGraphs, "--cuda-graphs", "a recorded step cannot read the gradients back to the host,"
                + " where the ranks average them");
        if (tensorboardHistograms && tensorboard == null) {
            throw new IllegalArgumentException("--tensorboard-histograms needs --tensorboard DIR: the directory to log to");
        }
        if (tensorboardEmbeddings != null && tensorboard == null) {
            throw new IllegalArgumentException("--tensorboard-embeddings needs --tensorboard DIR: the directory to log"
                    + " to");
        }
        checkFindLr(findLr, findLrSteps, resume, accumulate);
        if (findLr) {
            refuseBesideFindLr(o, "schedule", "it sweeps the learning rate itself, from 1e-8 to 1");
            refuseBesideFindLr(o, "epochs", "it runs --find-lr-steps steps, not epochs");
            refuseBesideFindLr(o, "patience", "early stopping watches epochs, and the range test runs steps");
            refuseBesideFindLr(o, "tensorboard", "it trains nothing to log; its curve is in lr_find.png and lr_find.csv");
            refuseBesideFindLr(o, ProfiledSteps.TRACE, "it profiles training's steps, and the range test runs its own");
        }
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("--schedule must be none, cosine or onecycle, got '" + schedule + "'");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--patience must be at least 0, got " + patience);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout must be at least 0 and below 1, got " + dropout);
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be at least 0 and below 1, got " + validationSplit);
        }
        if (patience > 0 && validationSplit <= 0) {
            throw new IllegalArgumentException("--patience needs --validation-split: early stopping never looks at the test set");
        }
        if (accumulate > 1 && cudaGraphs) {
            throw new IllegalArgumentException("--accumulate " + accumulate + " needs --cuda-graphs off: a replayed"
                    + " step clears the gradients it would sum");
        }
        if (minDelta > 0 && patience == 0) {
            throw new IllegalArgumentException("--min-delta needs --patience: it is early stopping's least improvement");
        }

        if (profiledSteps != null) {
            profiledSteps.start();
        }
        Engine.seed(seed);
        ClassificationData.TrainAndTest splits = data.trainAndTest();
        int[] featureShape = splits.train().data().featureShape();
        Augmentation augmentation = DataOptions.augmentation(augmentations, featureShape);
        Dataset train = sampling.apply(splits.train().data(), seed);
        Dataset test = splits.test().data();
        Dataset validation = null;
        if (validationSplit > 0) {
            Datasets.Split split = Datasets.split(train, 1 - validationSplit, seed);
            if (split.first().size() == 0) {
                throw new IllegalArgumentException("--validation-split " + validationSplit + " holds out all "
                        + train.size() + " training images, leaving none to train on");
            }
            if (split.second().size() == 0) {
                throw new IllegalArgumentException("--validation-split " + validationSplit + " holds out none of the "
                        + train.size() + " training images; validate on at least one");
            }
            train = split.first();
            validation = split.second();
        }
        BatchAugmentation mixing = DataOptions.batchAugmentation(mixup, cutmix, featureShape,
                splits.train().classNames().size());
        Module model = ClassifierModels.create(modelName, featureShape, splits.train().classNames().size(), dropout,
                data.spec());
        // Closed on every way out, a refused optimizer included, so that a run inside a longer-lived JVM (tests,
        // jshell) frees its weights and the optimizer's state at once rather than when a garbage collection finds them.
        try (distributed; model; Optimizer optimizer = Optimizers.create(optimizerName, model.trainableParameters(), lr)) {
            if (weightDecay != null) {
                optimizer.groups().forEach(g -> g.setWeightDecay(weightDecay));
            }
            Module trained = distributed.start(model, train.size(), out);
            DataLoader trainLoader = distributed.distributed()
                    ? distributed.trainLoader(train, batch, seed, augmentation, dropLast, workers)
                    : trainLoader(train, batch, seed, augmentation, balanceClasses, dropLast, workers);
            trainLoader = trainLoader.withBatchAugmentation(mixing);
            DataLoader testLoader = new DataLoader(test, 1000, false, seed);
            DataLoader perEpoch = validation != null ? new DataLoader(validation, 1000, false, seed) : testLoader;

            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("model", modelName);
            metadata.put("data", data.spec());
            metadata.put("optimizer", optimizerName);
            metadata.put("dropout", Double.toString(dropout));
            metadata.put("schedule", schedule);
            metadata.put("augment", augmentName);
            metadata.put("batch", Integer.toString(batch));
            metadata.put("lr", Double.toString(lr));
            metadata.put("weight_decay", Double.toString(optimizer.groups().get(0).weightDecay()));
            metadata.put("seed", Long.toString(seed));
            metadata.put("train_size", Integer.toString(sampling.trainSize()));
            metadata.put("per_class", Integer.toString(sampling.perClass()));
            metadata.put("validation_split", Double.toString(validationSplit));
            metadata.put("clip", clip == null ? "none" : Double.toString(clip));
            metadata.put("accumulate", Integer.toString(accumulate));
            metadata.put("balance_classes", onOff(balanceClasses));
            // Another setting on resume would change the steps per epoch, as cuda_graphs does.
            metadata.put("drop_last", onOff(dropLast));
            // On a GPU graphs skip an epoch's partial batch: another setting on resume would change the steps per epoch.
            metadata.put("cuda_graphs", onOff(cudaGraphs));
            metadata.putAll(data.metadata(splits.train()));
            metadata.put("mixup", mixup == null ? "off" : Double.toString(mixup));
            metadata.put("cutmix", cutmix == null ? "off" : Double.toString(cutmix));
            if (!schedule.equals("none")) {
                // The schedule's length: another --epochs on resume would bend the curve (a raised cosine trained an epoch
                // at 0, a raised one cycle stepped past its end).
                metadata.put(schedule + "_epochs", Integer.toString(epochs));
            }
            // Each rank's share of an epoch, and so the steps an epoch takes, depend on the world size.
            metadata.put("world_size", Integer.toString(distributed.worldSize()));
            refuseGradScalerClosure(precision, optimizer, optimizerName);
            Trainer trainer = new Trainer(trained, optimizer, new CrossEntropyLoss());
            if (distributed.rankZero()) {
                trainer.checkpoints(outDir, metadata);
            }
            mixedPrecision(trainer, precision).earlyStopping(patience).earlyStoppingMinDelta(minDelta)
                    .cudaGraphs(cudaGraphs);
            distributed.judgeEpochsOnRankZero(trainer);
            if (clip != null) {
                trainer.clipGradNorm(clip);
            }
            trainer.accumulateGradients(accumulate);
            if (findLr) {
                int steps = findLrSteps != null ? findLrSteps : LearningRateFinder.DEFAULT_STEPS;
                out.printf("Finding a learning rate for %s on %s: %d training images, batch %d, %s, lr from %s to %s over"
                        + " %d steps, precision %s, backend %s, output %s%n", modelName, data.spec(), train.size(), batch,
                        optimizerName, LearningRateFinder.DEFAULT_MIN_LR, LearningRateFinder.DEFAULT_MAX_LR, steps,
                        precision.name().toLowerCase(Locale.ROOT), Engine.get().backend().name(), outDir);
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("model", modelName);
                summary.put("data", data.spec());
                summary.put("optimizer", optimizerName);
                summary.put("batch", batch);
                LearningRateSearch.run(new LearningRateFinder(trainer).steps(steps), trainLoader, outDir, summary, out);
                return 0;
            }
            if (schedule.equals("cosine")) {
                trainer.schedule(new CosineAnnealingLR(optimizer, epochs, 0));
            } else if (schedule.equals("onecycle")) {
                // PyTorch's defaults, the momentum cycled where the optimizer has one (AdaGrad and Adadelta have not).
                trainer.schedulePerStep(new OneCycleLR(optimizer, lr, epochs * trainer.stepsPerEpoch(trainLoader), 0.3,
                        OneCycleLR.AnnealStrategy.COS, 25, 1e4, false, optimizer.momentumOrBeta1().isPresent(), 0.85, 0.95));
            }
            int resumedEpochs = 0;
            EpochMetrics resumedEpoch = null;
            if (resume != null) {
                ResumeCheck.requireSameRun(Trainer.metadata(Path.of(resume)), metadata, resume);
                Map<String, String> resumed = trainer.resume(Path.of(resume));
                resumedEpochs = Integer.parseInt(resumed.get("epoch"));
                resumedEpoch = EpochMetrics.fromMetadata(resumed);
                if (resumedEpochs >= epochs) {
                    if (distributed.rankZero()) {
                        out.printf("%s is already at epoch %d of --epochs %d: nothing to train; %s is left as it was%n",
                                resume, resumedEpochs, epochs, outDir);
                    }
                    return 0;
                }
            }
            if (!distributed.rankZero()) {
                trainer.fit(trainLoader, null, epochs);
                return 0;
            }
            String evalName = validation != null ? "val" : "test";
            RunOutputs outputs = new RunOutputs(outDir, evalName, out, resumedEpochs, resumedEpoch);
            trainer.listener(outputs);
            SummaryWriter board = tensorboard == null ? null : tensorBoard(Path.of(tensorboard), outDir, metadata, out,
                    resume == null ? null : TensorBoardListener.firstStepAfter(resumedEpochs,
                            trainer.batchesPerEpoch(trainLoader)));
            if (board != null) {
                TensorBoardListener logger = new TensorBoardListener(board, evalName, 1);
                trainer.listener(tensorboardHistograms ? logger.histograms(model) : logger);
            }
            if (profiledSteps != null) {
                trainer.listener(profiledSteps);
            }
            try (SummaryWriter closedAtTheEnd = board) {
                out.printf("Training %s on %s: %d training images, batch %d, %s lr %s, %d epochs, augment %s,%s"
                        + " precision %s, backend %s, output %s%n", modelName, data.spec(), train.size(), batch,
                        optimizerName, lr, epochs, augmentName, mixing == null ? "" : " mix " + mixing + ",",
                        precision.name().toLowerCase(Locale.ROOT), Engine.get().backend().name(), outDir);
                out.print(model.summary(batchOfOne(featureShape)));
                if (board != null) {
                    addGraph(board, model, batchOfOne(featureShape), out);
                }
                List<EpochMetrics> history;
                try (InterruptedRun watched = InterruptedRun.watch(RunDirectory.TRAIN, List.of(args), outDir, resume, out)) {
                    history = trainer.fit(trainLoader, perEpoch, epochs);
                }
                if (history.isEmpty()) {
                    out.printf("kiln train: the run resumed from %s had stopped early after epoch %d, so it trains no"
                            + " further epoch; evaluating its weights%n", resume, resumedEpochs);
                }
                Evaluation result = trainer.evaluate(testLoader);
                Evaluation onTrain = trainer.evaluate(new DataLoader(train, 1000, false, seed));
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("model", modelName);
                summary.put("data", data.spec());
                summary.put("epochs", history.isEmpty() ? resumedEpochs : history.get(history.size() - 1).epoch());
                summary.put("best_epoch", trainer.restoredBestWeights() ? trainer.bestEpoch() : null);
                summary.put("evaluated_weights", trainer.restoredBestWeights() ? "best" : "last");
                summary.put("test_accuracy", round(result.accuracy()));
                summary.put("test_loss", round(result.loss()));
                summary.put("train_accuracy", round(onTrain.accuracy()));
                summary.put("samples_per_s", history.isEmpty() ? null
                        : Math.round(median(history) * distributed.worldSize() * 10) / 10.0);
                if (distributed.distributed()) {
                    summary.put("world_size", distributed.worldSize());
                }
                summary.put("precision", precision.name().toLowerCase(Locale.ROOT));
                summary.put("backend", Engine.get().backend().name());
                if (tensorboardEmbeddings != null) {
                    int lastEpoch = history.isEmpty() ? resumedEpochs : history.get(history.size() - 1).epoch();
                    TensorBoardEmbeddings.write(board, model, splits.test(), tensorboardEmbeddings,
                            (long) lastEpoch * trainer.batchesPerEpoch(trainLoader), out);
                }
                if (board != null) {
                    Map<String, Object> hparams = new LinkedHashMap<>();
                    hparams.put("model", modelName);
                    hparams.put("data", data.spec());
                    hparams.put("optimizer", optimizerName);
                    hparams.put("lr", lr);
                    hparams.put("batch", batch);
                    hparams.put("epochs", epochs);
                    hparams.put("weight_decay", optimizer.groups().get(0).weightDecay());
                    hparams.put("dropout", dropout);
                    hparams.put("schedule", schedule);
                    hparams.put("augment", augmentName);
                    hparams.put("mixup", mixup);
                    hparams.put("cutmix", cutmix);
                    hparams.put("clip", clip);
                    hparams.put("accumulate", accumulate);
                    hparams.put("patience", patience);
                    hparams.put("precision", precision.name().toLowerCase(Locale.ROOT));
                    hparams.put("seed", seed);
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    metrics.put("hparam/test_accuracy", result.accuracy());
                    metrics.put("hparam/test_loss", result.loss());
                    TensorBoardHparamsRun.write(board, hparams, metrics, resume != null);
                }
                outputs.finish(summary, trainer.restoredBestWeights());
            }
            return 0;
        }
    }

    /**
     * Opens the run's TensorBoard event file, in {@code logDir}/RUN with RUN the run directory's name (PyTorch's
     * {@code SummaryWriter(log_dir)}, one subdirectory per run as {@code tensorboard --logdir} lists them), and logs
     * the run's options there as a Markdown table. A resumed run's file starts with {@code purgeStep}, the first step
     * it logs again, so that TensorBoard hides what an earlier run logged from there on (the crashed run's steps past
     * the checkpoint); its options are at that step too, where a later resume from the same checkpoint hides them.
     *
     * @param purgeStep null for a new run
     */
    private static SummaryWriter tensorBoard(Path logDir, Path outDir, Map<String, String> options, PrintStream out,
                                             Long purgeStep) throws IOException {
        Path runDir = logDir.resolve(outDir.toAbsolutePath().normalize().getFileName());
        SummaryWriter board = purgeStep == null ? new SummaryWriter(runDir) : new SummaryWriter(runDir, purgeStep);
        StringBuilder table = new StringBuilder("| option | value |\n|---|---|\n");
        options.forEach((k, v) -> table.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        board.addText("options", table.toString(), purgeStep == null ? 0 : purgeStep);
        out.printf("TensorBoard: %s (tensorboard --logdir %s)%s%n", board.file(), logDir,
                purgeStep == null ? "" : ", hiding what earlier runs logged from step " + purgeStep);
        return board;
    }

    /**
     * Writes the model's graph, as the ONNX exporter traces it, for TensorBoard's Graphs tab; a model the exporter
     * cannot convert is trained and logged without it, and a line says why.
     */
    private static void addGraph(SummaryWriter board, Module model, int[] inputShape, PrintStream out) {
        try {
            board.addGraph(model, inputShape);
        } catch (IllegalArgumentException e) {
            out.printf("TensorBoard: no graph of the model: %s%n", e.getMessage());
        }
    }

    /** Refuses --name beside --find-lr, which would otherwise ignore it, saying why. */
    private static void refuseBesideFindLr(Options o, String name, String why) {
        if (o.has(name)) {
            throw new IllegalArgumentException("--find-lr ignores --" + name + ": " + why + "; run the range test"
                    + " without it");
        }
    }

    /**
     * Refuses {@code --find-lr-steps} without {@code --find-lr} or below 2, and {@code --find-lr} with {@code --resume}
     * (the test starts from fresh weights and keeps nothing) or {@code --accumulate} (it takes a batch per step).
     */
    private static void checkFindLr(boolean findLr, Integer findLrSteps, String resume, int accumulate) {
        if (findLrSteps != null && !findLr) {
            throw new IllegalArgumentException("--find-lr-steps needs --find-lr: it is the range test's length");
        }
        if (findLrSteps != null && findLrSteps < 2) {
            throw new IllegalArgumentException("--find-lr-steps must be at least 2 (the first step at lr 1e-8, the last"
                    + " at 1), got " + findLrSteps);
        }
        if (findLr && resume != null) {
            throw new IllegalArgumentException("--find-lr tests the model's fresh weights and trains nothing; it cannot"
                    + " --resume " + resume);
        }
        if (findLr && accumulate > 1) {
            throw new IllegalArgumentException("--find-lr takes one batch per step, --accumulate " + accumulate
                    + " sums several: give --batch " + accumulate + " times as large instead");
        }
    }

    /**
     * The training loader: shuffled every epoch, or with {@code balanceClasses} drawn by
     * {@link WeightedRandomSampler#balancingClasses} (as many draws as {@code train} has images); with
     * {@code dropLast}, without an epoch's partial last batch; assembled by {@code workers} threads.
     */
    static DataLoader trainLoader(Dataset train, int batch, long seed, Augmentation augmentation, boolean balanceClasses,
                                  boolean dropLast, int workers) {
        if (dropLast && train.size() < batch) {
            throw new IllegalArgumentException("--drop-last with --batch " + batch + " would drop all " + train.size()
                    + " training images of every epoch; give --batch " + train.size() + " or less");
        }
        DataLoader loader = new DataLoader(train, batch, !balanceClasses, seed, augmentation);
        if (balanceClasses) {
            loader = loader.withSampler(WeightedRandomSampler.balancingClasses(train));
        }
        return loader.withDropLast(dropLast).withWorkers(workers);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    /** [1, featureShape...]: the input shape of a batch of one, for a model's summary. */
    private static int[] batchOfOne(int[] featureShape) {
        int[] shape = new int[featureShape.length + 1];
        shape[0] = 1;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        return shape;
    }

    /** Median training throughput over epochs 2..N (epoch 1 is warm-up), as the benchmark protocol asks. */
    static double median(List<EpochMetrics> history) {
        return medianAfterWarmUp(history.stream().mapToDouble(EpochMetrics::samplesPerSecond).toArray());
    }

    /** The median of {@code rates} but the first (epoch 1, the warm-up), or the first alone. */
    static double medianAfterWarmUp(double[] rates) {
        return median(rates.length > 1 ? Arrays.copyOfRange(rates, 1, rates.length) : rates);
    }

    /** The median of {@code values} (of the middle two for an even count); sorts them. */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** {@code --precision fp32|bf16|f16} (default fp32): the {@link Trainer#precision} of a run. */
    static Precision precision(Options o) {
        String value = o.get("precision", "fp32");
        return switch (value) {
            case "fp32" -> Precision.FP32;
            case "bf16" -> Precision.BF16;
            case "f16" -> Precision.F16;
            default -> throw new IllegalArgumentException("--precision must be fp32, bf16 or f16, got '" + value + "'");
        };
    }

    /**
     * Refuses {@code --precision f16}, whose GradScaler steps the optimizer itself, with an optimizer that steps with a
     * closure (lbfgs), naming both options: PyTorch's GradScaler refuses closures too.
     */
    private static void refuseGradScalerClosure(Precision precision, Optimizer optimizer, String optimizerName) {
        if (precision == Precision.F16 && optimizer.needsClosure()) {
            throw new IllegalArgumentException("--precision f16 trains with a GradScaler, which cannot step --optimizer "
                    + optimizerName + ": it re-evaluates the loss in a closure, which a GradScaler does not support (as"
                    + " PyTorch's does not); train it with --precision fp32 or bf16");
        }
    }

    /**
     * {@code trainer} in {@code precision}, with PyTorch's default {@link GradScaler} for {@link Precision#F16}, as a
     * PyTorch AMP loop pairs {@code autocast(dtype=torch.float16)} with {@code GradScaler()}.
     */
    static Trainer mixedPrecision(Trainer trainer, Precision precision) {
        return trainer.precision(precision).gradScaler(precision == Precision.F16 ? new GradScaler() : null);
    }

    /** {@code v} to 4 decimals for a summary; NaN and infinities as they are (JSON summaries write them as null). */
    static double round(double v) {
        return round(v, 4);
    }

    /** {@code v} to {@code decimals} decimals for a summary; NaN and infinities as they are. */
    static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Double.isFinite(v) ? Math.round(v * scale) / scale : v;
    }
}
