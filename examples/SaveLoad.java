import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.nio.file.Path;
import java.util.Map;

/**
 * PyTorch's "Save and Load the Model" tutorial (pytorch.org/tutorials/beginner/basics/saveloadrun_tutorial.html) in
 * Kiln. The tutorial saves torchvision's pretrained VGG16; there are no such weights here, so this saves a small
 * network built as torchvision builds VGG ({@code features}, {@code avgpool}, {@code classifier} with dropout),
 * randomly initialised: its state dict written as safetensors, loaded into a fresh instance of the class, which is put
 * in evaluation mode and predicts as the saved one did. Kiln never pickles a whole model (the tutorial's
 * {@code torch.save(model)}): the class is the code that builds the network, the file holds its tensors. Run from the
 * repository root after {@code mvn -q package -DskipTests -pl models -am}:
 * <pre>
 * java -cp "models/target/classes:models/target/lib/*" examples/SaveLoad.java [weights file]
 * </pre>
 * The weights go to {@code model_weights.safetensors} in the current directory unless a file is named.
 */
public class SaveLoad {

    /** A VGG in miniature, for 3-channel images of at least 4x4: two convolution stages, pooling, a classifier. */
    static class SmallVGG extends Module {
        SmallVGG() {
            registerModule("features", new Sequential(
                    Conv2d.builder(3, 16, 3).padding(1).build(),
                    new ReLU(),
                    new MaxPool2d(2, 2),
                    Conv2d.builder(16, 32, 3).padding(1).build(),
                    new ReLU(),
                    new MaxPool2d(2, 2)));
            registerModule("avgpool", new AdaptiveAvgPool2d(2, 2));
            registerModule("classifier", new Sequential(
                    new Linear(32 * 2 * 2, 64),
                    new ReLU(),
                    new Dropout(0.5),
                    new Linear(64, 10)));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = module("features").call(x);
            x = module("avgpool").call(x);
            x = x.flatten(1);
            return module("classifier").call(x);
        }
    }

    public static void main(String[] args) throws Exception {
        Path weights = Path.of(args.length > 0 ? args[0] : "model_weights.safetensors");
        try (Scope scope = Scope.open()) {
            Tensor inputImage = Tensor.rand(1, 3, 32, 32);

            // Saving and loading model weights: torch.save(model.state_dict(), 'model_weights.pth').
            Tensor saved;
            try (SmallVGG model = new SmallVGG()) {
                System.out.println(model);
                Map<String, Tensor> stateDict = model.stateDict();
                stateDict.forEach((name, t) -> System.out.println(name + " " + t.shape()));
                SafeTensors.write(weights, stateDict);
                model.eval();
                saved = predict(model, inputImage);
            }

            // model = SmallVGG() (untrained); model.load_state_dict(torch.load('model_weights.pth')); model.eval()
            try (SmallVGG model = new SmallVGG(); SafeTensors.Loaded state = SafeTensors.read(weights)) {
                model.loadStateDict(state.tensors());
                model.eval();
                System.out.println("The loaded model predicts as the saved one: "
                        + predict(model, inputImage).equal(saved));

                // Without eval(), dropout stays on and two predictions of one image differ.
                model.train();
                System.out.println("In training mode, two predictions agree: "
                        + predict(model, inputImage).equal(predict(model, inputImage)));
            }
        }
    }

    static Tensor predict(Module model, Tensor x) {
        try (Autograd.Guard g = Autograd.noGrad()) {
            return model.call(x);
        }
    }
}
