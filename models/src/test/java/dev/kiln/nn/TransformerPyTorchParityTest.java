package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Transformer} against PyTorch's own numbers (printed by {@code models/src/test/pytorch/transformer_full.py}):
 * its state-dict names, and a tiny model (dModel 8, 2 heads, one encoder and one decoder layer, dropout 0) with
 * PyTorch's parameters, post-norm with sequence-first inputs, a causal target mask and key padding of the source and
 * memory, pre-norm GELU with batch-first inputs, unbatched inputs with those masks, and a callable activation (SiLU);
 * the output and the gradients of both inputs and of parameters in each stack and each final norm, with PyTorch's
 * state dict loaded key for key.
 */
class TransformerPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16).state_dict().keys(), PyTorch 1.13. */
    private static final List<String> PYTORCH_STATE_DICT_KEYS = List.of(
            "encoder.layers.0.self_attn.in_proj_weight",
            "encoder.layers.0.self_attn.in_proj_bias",
            "encoder.layers.0.self_attn.out_proj.weight",
            "encoder.layers.0.self_attn.out_proj.bias",
            "encoder.layers.0.linear1.weight",
            "encoder.layers.0.linear1.bias",
            "encoder.layers.0.linear2.weight",
            "encoder.layers.0.linear2.bias",
            "encoder.layers.0.norm1.weight",
            "encoder.layers.0.norm1.bias",
            "encoder.layers.0.norm2.weight",
            "encoder.layers.0.norm2.bias",
            "encoder.norm.weight",
            "encoder.norm.bias",
            "decoder.layers.0.self_attn.in_proj_weight",
            "decoder.layers.0.self_attn.in_proj_bias",
            "decoder.layers.0.self_attn.out_proj.weight",
            "decoder.layers.0.self_attn.out_proj.bias",
            "decoder.layers.0.multihead_attn.in_proj_weight",
            "decoder.layers.0.multihead_attn.in_proj_bias",
            "decoder.layers.0.multihead_attn.out_proj.weight",
            "decoder.layers.0.multihead_attn.out_proj.bias",
            "decoder.layers.0.linear1.weight",
            "decoder.layers.0.linear1.bias",
            "decoder.layers.0.linear2.weight",
            "decoder.layers.0.linear2.bias",
            "decoder.layers.0.norm1.weight",
            "decoder.layers.0.norm1.bias",
            "decoder.layers.0.norm2.weight",
            "decoder.layers.0.norm2.bias",
            "decoder.layers.0.norm3.weight",
            "decoder.layers.0.norm3.bias",
            "decoder.norm.weight",
            "decoder.norm.bias");

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void postNormSequenceFirstWithMasksMatchesPyTorch(DType dtype) {
        // torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)(src [3, 2, 8], tgt [4, 2, 8],
        //     tgt_mask=generate_square_subsequent_mask(4), src_key_padding_mask=memory_key_padding_mask=[[F, F, T],
        //     [F, F, F]]) in training mode, PyTorch 1.13
        Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).dropout(0.0).build();
        model.to(dtype);
        load(model,
                key("encoder.layers.0.self_attn.in_proj_weight", 1, 24, 8),
                key("encoder.layers.0.self_attn.in_proj_bias", 2, 24),
                key("encoder.layers.0.self_attn.out_proj.weight", 3, 8, 8),
                key("encoder.layers.0.self_attn.out_proj.bias", 4, 8),
                key("encoder.layers.0.linear1.weight", 5, 16, 8),
                key("encoder.layers.0.linear1.bias", 6, 16),
                key("encoder.layers.0.linear2.weight", 7, 8, 16),
                key("encoder.layers.0.linear2.bias", 8, 8),
                key("encoder.layers.0.norm1.weight", 9, 8),
                key("encoder.layers.0.norm1.bias", 10, 8),
                key("encoder.layers.0.norm2.weight", 11, 8),
                key("encoder.layers.0.norm2.bias", 12, 8),
                key("encoder.norm.weight", 13, 8),
                key("encoder.norm.bias", 14, 8),
                key("decoder.layers.0.self_attn.in_proj_weight", 15, 24, 8),
                key("decoder.layers.0.self_attn.in_proj_bias", 16, 24),
                key("decoder.layers.0.self_attn.out_proj.weight", 17, 8, 8),
                key("decoder.layers.0.self_attn.out_proj.bias", 18, 8),
                key("decoder.layers.0.multihead_attn.in_proj_weight", 19, 24, 8),
                key("decoder.layers.0.multihead_attn.in_proj_bias", 20, 24),
                key("decoder.layers.0.multihead_attn.out_proj.weight", 21, 8, 8),
                key("decoder.layers.0.multihead_attn.out_proj.bias", 22, 8),
                key("decoder.layers.0.linear1.weight", 23, 16, 8),
                key("decoder.layers.0.linear1.bias", 24, 16),
                key("decoder.layers.0.linear2.weight", 25, 8, 16),
                key("decoder.layers.0.linear2.bias", 26, 8),
                key("decoder.layers.0.norm1.weight", 27, 8),
                key("decoder.layers.0.norm1.bias", 28, 8),
                key("decoder.layers.0.norm2.weight", 29, 8),
                key("decoder.layers.0.norm2.bias", 30, 8),
                key("decoder.layers.0.norm3.weight", 31, 8),
                key("decoder.layers.0.norm3.bias", 32, 8),
                key("decoder.norm.weight", 33, 8),
                key("decoder.norm.bias", 34, 8));
        Tensor src = tensor(dtype, 100, 3, 2, 8);
        Tensor tgt = tensor(dtype, 101, 4, 2, 8);
        Tensor padding = Tensor.fromArray(new double[] {0, 0, 1, 0, 0, 0}, 2, 3).to(dtype);
        AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype));
        Tensor y = model.forward(src, tgt, null, causal, null, padding, null, padding);
        backward(200, y);

        assertValues("output", y,
                0.5700473593255488, 0.5674983659677532, 0.2031262640710756, 0.19237047719354483,
                0.5061708496231566, -0.1349733509665665, -0.521568956098314, -0.8986409345453944,
                0.5657071880819556, 0.5652779410345464, 0.20254676865641527, 0.1779808878031872,
                0.5047951650246797, -0.13247529726211035, -0.521130081470329, -0.9036555738202745,
                0.5678795352589429, 0.5662923632117711, 0.20276737303030784, 0.18498955500870254,
                0.5052538981686369, -0.13362442686371065, -0.5213277631517563, -0.9014198431625294,
                0.5695621433951856, 0.5711482931891741, 0.2044590217704393, 0.20163518729607052,
                0.5165181563764105, -0.13917999436045328, -0.5225255773747562, -0.8866470247801367,
                0.5744652975111405, 0.5737209210694195, 0.20506247074372702, 0.21989831553455635, 0.51780064981438,
                -0.1417978949194033, -0.5229417772085974, -0.8803528111951038, 0.5754348190005366,
                0.5739637176111938, 0.20508247354597778, 0.2227415424309951, 0.5173449303011398,
                -0.14201380770198846, -0.5229657337362305, -0.8798975400897955, 0.5764631861253996,
                0.5733702681012613, 0.20473296903695118, 0.22327096401448723, 0.5147194899687324,
                -0.14132951533015103, -0.522801045242016, -0.8820556694918351, 0.5761019435556226,
                0.5724902784790963, 0.20443442086961355, 0.21976426147157377, 0.5128539594785344,
                -0.1403837902244089, -0.5226050199297185, -0.8848058135007068);
        assertValues("src gradient", src.grad(),
                2.7372701017589946e-05, -5.9391145391862254e-05, -3.5794809360487474e-05, 5.275685707141055e-06,
                9.689664345301688e-05, 3.83687737549128e-05, -2.675063710120293e-06, -3.677868496288611e-05,
                1.923491074699844e-05, -1.6070588917153674e-05, -1.2925953628766908e-05, -1.4422834227964362e-05,
                3.22039104818249e-05, 1.5061883705673136e-05, 6.056995233448839e-08, -1.773553170329981e-05,
                7.617136223770356e-05, -3.3163799047191946e-05, -2.7452164241224137e-05, -9.33813742954264e-06,
                7.895747655062616e-05, 2.9652353317972235e-06, -3.1345070372000184e-05, -4.477339147943537e-05,
                3.360832422966998e-05, -1.002916686514795e-05, -1.1204406209875254e-05, -2.0763671951785464e-05,
                3.071477239732031e-05, 7.981607636234293e-06, -7.216225154817384e-06, -2.2652899341867785e-05, 0.0,
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.376215456251965e-05, -7.690709698820012e-06,
                -9.822931119600927e-06, -2.332753500547353e-05, 2.963796796037742e-05, 7.774162098565635e-06,
                -6.776040675308503e-06, -2.358712612792128e-05);
        assertValues("tgt gradient", tgt.grad(),
                0.0008968840865742811, 0.00012654225153157708, -0.00016760501738943162, 0.0004840177169920188,
                -7.947143453824394e-05, 0.00025248143976459186, -0.0003381466878494905, -7.568212044674989e-05,
                0.045202395758935136, 0.03295680187932449, 0.01181771336787998, -0.02071528767822598,
                -0.041579349089664465, -0.04137913478248083, -0.023079855962435256, 0.005512187784382358,
                0.00792466430139422, 0.006574566023613922, 0.009493457411111655, -0.0012074945332582795,
                -0.006866384804874154, -0.00903260876841205, -0.007303754777836029, -0.004190257526311065,
                0.02935536253039455, 0.015061816778357533, 0.03875621336422258, -0.03653674849393406,
                -0.04896753180916708, -0.04470448535342362, -0.014437882162680299, 0.005721249923175745,
                -0.0019248895816982468, 0.002791079814686642, 0.009177944296319707, -0.002100021956518056,
                -0.0024466578283445233, -0.005489922407956962, -0.002492795310150737, 0.00010528347982948264,
                -0.001835217146996861, 0.001449276119908315, 0.001283296925421729, 7.227837832190836e-06,
                0.000546993107642536, -0.0008837233666925185, -0.0007094247097419403, 0.0004812314760439902,
                -0.0007795452842918087, 0.0006673292386894592, -0.0016033900635486612, -0.00012484846239562672,
                0.0004392347803015415, 0.00027564757068626426, 7.569373879302854e-05, 0.0008966619939072591,
                0.0003085882013402973, 0.0013659140541670465, -0.0007565572550011946, 0.0009572290973744858,
                0.0003408598323901737, -0.0002606969674084142, -0.001087665820768253, -0.0005695872364595183);
        assertGradient(model, "encoder.layers.0.self_attn.in_proj_bias",
                -6.580989015169709e-06, -5.915324614593013e-06, -2.5944588476105513e-06, 1.8909771037815101e-06,
                5.1636709899986475e-06, 6.279766249159013e-06, 4.5770738657374465e-06, 8.198783782149095e-07,
                2.9116757561866574e-22, -5.823351512373315e-22, -6.352747104407253e-22, -1.5881867761018131e-22,
                -1.5881867761018131e-22, -2.6469779601696886e-23, 0.0, 3.1763735522036263e-22,
                -5.388883489332927e-06, -1.902020005123062e-05, -2.3706019330209626e-05, -1.72425273014224e-05,
                -2.6696052608544786e-06, 1.3158873847625877e-05, 2.2798528972492732e-05, 2.1715679684753122e-05);
        assertGradient(model, "encoder.norm.weight",
                -0.0019785540122120976, -7.211835152888174e-06, 0.005439151567228825, -0.0004263744419376285,
                -0.0059183381848157204, 0.0012714223419712878, 0.0009067755376547894, 0.004043561746072626);
        assertGradient(model, "decoder.layers.0.multihead_attn.out_proj.weight",
                -0.004997082631259046, 0.012052832007884864, 0.023641913857766435, 0.02447486034543686,
                0.014152194144790556, -0.0026383784541278137, -0.01825162807756234, -0.02556751186264276,
                -0.0006219963625373453, 0.0015016919145757243, 0.002944998878270809, 0.0030484363593381476,
                0.0017623841751307724, -0.0003291348303271705, -0.0022737833699280046, -0.0031847410708247216,
                0.004379745766608974, -0.010566190805488058, -0.020724849577748665, -0.021454503127792346,
                -0.012405193540238689, 0.002313621088341304, 0.016000027987684056, 0.02241265672494003,
                0.002055949501155699, -0.0049575039322503015, -0.009724840579836044, -0.010067770560780188,
                -0.005821837519101059, 0.0010848078755658608, 0.007507380397376537, 0.010517032232022858,
                -0.00441368780883701, 0.010644096588978325, 0.02087931355152339, 0.02161528165704766,
                0.01249904694809098, -0.0023295497257699665, -0.016118632776808833, -0.022580037918685875,
                -0.0002896296231014539, 0.0006985235761737024, 0.001370193544155816, 0.0014184800945316422,
                0.0008202255687006497, -0.000152891926551609, -0.001057784521970517, -0.0014817983515758748,
                0.0011666295096191403, -0.0028135882566071163, -0.0055190410290714975, -0.005713550821925674,
                -0.003303834095800859, 0.0006158147754863478, 0.004260668911794328, 0.005968583355692622,
                0.0027200716483510435, -0.006559861093267146, -0.012867688645060252, -0.0133212339458561,
                -0.0077029856815723574, 0.0014357111973830486, 0.009933751449414776, 0.013915816891073724);
        assertGradient(model, "decoder.norm.bias",
                0.058208850789400024, 0.4249477221265936, 0.5918270397563028, 0.48036085303605947,
                0.14297345128755615, -0.2616565986232533, -0.5432254617044445, -0.5693069020140299);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void preNormBatchFirstGeluMatchesPyTorch(DType dtype) {
        // torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation="gelu", layer_norm_eps=1e-3,
        //     batch_first=True, norm_first=True)(src [2, 3, 8], tgt [2, 4, 8],
        //     tgt_mask=generate_square_subsequent_mask(4)) in training mode, PyTorch 1.13
        Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).dropout(0.0)
                .activation("gelu").layerNormEps(1e-3).batchFirst(true).normFirst(true).build();
        model.to(dtype);
        load(model,
                key("encoder.layers.0.self_attn.in_proj_weight", 1, 24, 8),
                key("encoder.layers.0.self_attn.in_proj_bias", 2, 24),
                key("encoder.layers.0.self_attn.out_proj.weight", 3, 8, 8),
                key("encoder.layers.0.self_attn.out_proj.bias", 4, 8),
                key("encoder.layers.0.linear1.weight", 5, 16, 8),
                key("encoder.layers.0.linear1.bias", 6, 16),
                key("encoder.layers.0.linear2.weight", 7, 8, 16),
                key("encoder.layers.0.linear2.bias", 8, 8),
                key("encoder.layers.0.norm1.weight", 9, 8),
                key("encoder.layers.0.norm1.bias", 10, 8),
                key("encoder.layers.0.norm2.weight", 11, 8),
                key("encoder.layers.0.norm2.bias", 12, 8),
                key("encoder.norm.weight", 13, 8),
                key("encoder.norm.bias", 14, 8),
                key("decoder.layers.0.self_attn.in_proj_weight", 15, 24, 8),
                key("decoder.layers.0.self_attn.in_proj_bias", 16, 24),
                key("decoder.layers.0.self_attn.out_proj.weight", 17, 8, 8),
                key("decoder.layers.0.self_attn.out_proj.bias", 18, 8),
                key("decoder.layers.0.multihead_attn.in_proj_weight", 19, 24, 8),
                key("decoder.layers.0.multihead_attn.in_proj_bias", 20, 24),
                key("decoder.layers.0.multihead_attn.out_proj.weight", 21, 8, 8),
                key("decoder.layers.0.multihead_attn.out_proj.bias", 22, 8),
                key("decoder.layers.0.linear1.weight", 23, 16, 8),
                key("decoder.layers.0.linear1.bias", 24, 16),
                key("decoder.layers.0.linear2.weight", 25, 8, 16),
                key("decoder.layers.0.linear2.bias", 26, 8),
                key("decoder.layers.0.norm1.weight", 27, 8),
                key("decoder.layers.0.norm1.bias", 28, 8),
                key("decoder.layers.0.norm2.weight", 29, 8),
                key("decoder.layers.0.norm2.bias", 30, 8),
                key("decoder.layers.0.norm3.weight", 31, 8),
                key("decoder.layers.0.norm3.bias", 32, 8),
                key("decoder.norm.weight", 33, 8),
                key("decoder.norm.bias", 34, 8));
        Tensor src = tensor(dtype, 100, 2, 3, 8);
        Tensor tgt = tensor(dtype, 101, 2, 4, 8);
        Tensor y = model.forward(src, tgt,
                AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype)));
        backward(200, y);

        assertValues("output", y,
                0.41804945044794095, 0.4013218895503811, 0.3952297606905636, 0.007919832044132723,
                0.3283504861508223, 0.2227962761526202, -0.5190302102111525, 0.11242916368353634,
                0.43530004685187884, 0.4188493602858965, 0.37680812105877426, 0.0020575200793262116,
                0.3379580020471692, 0.2318958234947181, -0.5221612347594357, 0.06414294962120129,
                0.4152896923802324, 0.42542275407812497, 0.35660525794349335, -0.03923755658777061,
                0.31600901870737425, 0.2371490873810113, -0.5254073596732184, 0.017752833273468206,
                0.36629477891474876, 0.4193647155470184, 0.3416959338231449, -0.09940416129893084,
                0.2719157682180148, 0.23650969268060135, -0.5275762536519404, -0.011012094540118143,
                0.24462484489102088, 0.37542084961512645, 0.3514104955217065, -0.19245128376991338,
                0.17266419440975098, 0.2145270417586166, -0.525330636381824, 0.02749471076819685,
                0.18584796510962498, 0.34827027914189296, 0.3678842622687242, -0.22173083944877403,
                0.1215277013133986, 0.19301718567758472, -0.5224326791031236, 0.0614744571536282,
                0.17217595154178159, 0.3284145361142086, 0.3945823894468105, -0.20002825419351009,
                0.1124618819127266, 0.1753884461998849, -0.5180305313121037, 0.11768886866108041,
                0.21017553856792365, 0.32609552670390407, 0.41741525243999306, -0.13750521752236675,
                0.15361255009864583, 0.1720457262782113, -0.5142273202385986, 0.1703411398401153);
        assertValues("src gradient", src.grad(),
                0.0002469687527312499, 0.002687119747638728, -0.0011517667266181348, -0.004651693463507914,
                -0.001345913858552536, 0.00400024749022524, 0.0029564233373269647, -0.002741385279243599,
                3.1804622382361654e-05, 0.0029041505498173456, -0.0006955732712333688, -0.004676030085397238,
                -0.0019311566120371931, 0.0035978126756158212, 0.003172720444001991, -0.002403728323149717,
                -0.00019672529599391256, 0.003296102498939754, -0.00032425908389065996, -0.004966505368852876,
                -0.002488916829324105, 0.0035486250821759576, 0.0035317856185319717, -0.002400106621586131,
                0.01742463524346512, -0.0008481571247879308, -0.014285936788604044, -0.0013295926224419462,
                0.015352436554962344, 0.0071074895556185284, -0.012678416702493795, -0.010742458115718265,
                0.018069020047692584, -0.000738780668325213, -0.014127326555312899, -0.0004595503721687385,
                0.016154974029089532, 0.006646516011106206, -0.0140477118895238, -0.011497140602557673,
                0.016830858758048097, -0.0005915173427465887, -0.012849649962131527, -1.3606653218585117e-05,
                0.015193675126296366, 0.0059071194080579405, -0.013509638286922747, -0.010967241047382954);
        assertValues("tgt gradient", tgt.grad(),
                0.027509949026716878, 0.07367937942207356, 0.0021390380063460654, -0.074794336893027,
                -0.039724704711124235, 0.0385805313360688, 0.025330372494857263, -0.05272022868191136,
                -0.014293680059355048, -0.0026495193809185254, 0.021177151733948966, 0.009894746273493384,
                -0.024658692321149686, -0.027870733259361305, 0.008173012170751528, 0.030227714842590687,
                -0.03919424855815482, -0.033310140806345985, 0.02276702641387185, 0.04125696606969628,
                -0.002542011401360813, -0.030967806609738933, 0.003700177077336931, 0.03829003781469546,
                -0.035568947900203304, -0.044775874939839394, 0.0009639193160661656, 0.038219825316157585,
                0.021303162271397776, -0.007674085352709586, 0.0029681767055941537, 0.024563824583536613,
                -0.019961737143874392, -0.12323616589903177, -0.0352667705246898, 0.10303890514450749,
                0.08015555624147247, -0.04105259517369388, -0.04172993817443489, 0.07805274552974478,
                0.014242880321256809, -0.028446972674049276, -0.03371448862321125, 0.01507063249744144,
                0.04723725111871532, 0.0187259114825836, -0.020496287028754348, -0.012618927093982248,
                0.03479343354390866, 0.012637712367427091, -0.03599666290857042, -0.02294438986367207,
                0.03577221744291172, 0.04328429989663375, -0.016877645746009466, -0.050668964732629336,
                0.0450283988939586, 0.02428456270930854, -0.028311523046973798, -0.033566094681930614,
                0.009961247862796686, 0.024462983488103385, -0.012855421428189672, -0.02900415379707314);
        assertGradient(model, "encoder.layers.0.self_attn.in_proj_bias",
                -9.321521499607415e-06, -7.686616065710106e-06, -2.6014327839392276e-06, 3.651451060787414e-06,
                8.40012402237363e-06, 9.309344123984628e-06, 6.03989528537134e-06, 5.932926223303069e-08,
                -1.0842021724855044e-18, -1.0570971181733668e-18, -5.421010862427522e-19, 2.168404344971009e-19,
                -1.4907779871675686e-19, -1.8973538018496328e-19, -9.486769009248164e-20, 1.0164395367051604e-20,
                0.00475530053799613, -0.0012721797479447927, -0.006701334020070176, -0.00897874619132431,
                -0.007033313732019137, -0.0017800039259869475, 0.004310469539765686, 0.008373661828021763);
        assertGradient(model, "encoder.norm.weight",
                0.06137834279325792, 0.1874266641729517, 0.022747734671279475, 0.0051127906257366195,
                0.16557187035005022, 0.1399488475803779, 0.04562499096987406, -0.0350117080868267);
        assertGradient(model, "decoder.layers.0.multihead_attn.out_proj.weight",
                0.009153268108877483, -0.015069843919669873, -0.03245508137421293, -0.03506345746119394,
                -0.02168389583147379, 0.0015877025542508497, 0.024156723722331224, 0.035730642176719694,
                0.005901937174396031, -0.011837035571346246, -0.024212430517275615, -0.02557671357314906,
                -0.015292399331912409, 0.0019715714468727954, 0.018357474077605993, 0.026399307746841467,
                0.014194468165933742, -0.03232608610164943, -0.06421018645015238, -0.06691356754735298,
                -0.039163961149337706, 0.0064662237069472404, 0.04921126792975667, 0.06960588811691297,
                0.00950946059390851, -0.020355253334584763, -0.0410003165167309, -0.04300634594214112,
                -0.025432976042235537, 0.003750215136097899, 0.03126142608079411, 0.04456918794751799,
                -0.014100945033731611, 0.03233856959562349, 0.06413654887038414, 0.06678834543358596,
                0.039045325630649906, -0.006524422704939448, -0.04918283505005427, -0.06950466490846804,
                -0.028587827221146195, 0.06096913789063504, 0.12291031162005782, 0.12897447271529092,
                0.07631950279547971, -0.011174014265856135, -0.09368601671135733, -0.13363134489196446,
                -0.012357357431883348, 0.022839645871981343, 0.04768199722818828, 0.05082976783420167,
                0.030816680257742993, -0.003258720691791413, -0.03588548130162798, -0.05219220193893939,
                0.016286995643645406, -0.0365591344309896, -0.0728508428602585, -0.07603250145924151,
                -0.044608276328913204, 0.007181444818418219, 0.055767441252551654, 0.07902318575137983);
        assertGradient(model, "decoder.norm.bias",
                0.058208850789400024, 0.4249477221265936, 0.5918270397563028, 0.48036085303605947,
                0.14297345128755615, -0.2616565986232533, -0.5432254617044445, -0.5693069020140299);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void unbatchedWithMasksMatchesPyTorch(DType dtype) {
        // torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0)(src [3, 8], tgt [4, 8],
        //     tgt_mask=generate_square_subsequent_mask(4), src_key_padding_mask=memory_key_padding_mask=[F, F, T])
        //     in training mode, PyTorch 1.13
        Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).dropout(0.0).build();
        model.to(dtype);
        load(model,
                key("encoder.layers.0.self_attn.in_proj_weight", 1, 24, 8),
                key("encoder.layers.0.self_attn.in_proj_bias", 2, 24),
                key("encoder.layers.0.self_attn.out_proj.weight", 3, 8, 8),
                key("encoder.layers.0.self_attn.out_proj.bias", 4, 8),
                key("encoder.layers.0.linear1.weight", 5, 16, 8),
                key("encoder.layers.0.linear1.bias", 6, 16),
                key("encoder.layers.0.linear2.weight", 7, 8, 16),
                key("encoder.layers.0.linear2.bias", 8, 8),
                key("encoder.layers.0.norm1.weight", 9, 8),
                key("encoder.layers.0.norm1.bias", 10, 8),
                key("encoder.layers.0.norm2.weight", 11, 8),
                key("encoder.layers.0.norm2.bias", 12, 8),
                key("encoder.norm.weight", 13, 8),
                key("encoder.norm.bias", 14, 8),
                key("decoder.layers.0.self_attn.in_proj_weight", 15, 24, 8),
                key("decoder.layers.0.self_attn.in_proj_bias", 16, 24),
                key("decoder.layers.0.self_attn.out_proj.weight", 17, 8, 8),
                key("decoder.layers.0.self_attn.out_proj.bias", 18, 8),
                key("decoder.layers.0.multihead_attn.in_proj_weight", 19, 24, 8),
                key("decoder.layers.0.multihead_attn.in_proj_bias", 20, 24),
                key("decoder.layers.0.multihead_attn.out_proj.weight", 21, 8, 8),
                key("decoder.layers.0.multihead_attn.out_proj.bias", 22, 8),
                key("decoder.layers.0.linear1.weight", 23, 16, 8),
                key("decoder.layers.0.linear1.bias", 24, 16),
                key("decoder.layers.0.linear2.weight", 25, 8, 16),
                key("decoder.layers.0.linear2.bias", 26, 8),
                key("decoder.layers.0.norm1.weight", 27, 8),
                key("decoder.layers.0.norm1.bias", 28, 8),
                key("decoder.layers.0.norm2.weight", 29, 8),
                key("decoder.layers.0.norm2.bias", 30, 8),
                key("decoder.layers.0.norm3.weight", 31, 8),
                key("decoder.layers.0.norm3.bias", 32, 8),
                key("decoder.norm.weight", 33, 8),
                key("decoder.norm.bias", 34, 8));
        Tensor src = tensor(dtype, 100, 3, 8);
        Tensor tgt = tensor(dtype, 101, 4, 8);
        Tensor padding = Tensor.fromArray(new double[] {0, 0, 1}, 3).to(dtype);
        AttentionMask causal = AttentionMask.additive(Transformer.generateSquareSubsequentMask(4, dtype));
        Tensor y = model.forward(src, tgt, null, causal, null, padding, null, padding);
        backward(200, y);
        assertArrayEquals(new int[] {4, 8}, y.shape().dims());

        assertValues("output", y,
                0.5700496264710398, 0.5674978810153873, 0.203125853804946, 0.19237453980520958, 0.5061660279181933,
                -0.13497253234285364, -0.5215686768287372, -0.8986442420788603, 0.5688463323215568,
                0.5668249855842734, 0.20293023138154204, 0.1882415079877814, 0.5056502704251715,
                -0.1342216272912197, -0.5214319105534806, -0.9002288298892486, 0.5664363421583785,
                0.5655944613278024, 0.20260975085229868, 0.18028085189280735, 0.5048877299697972,
                -0.13284103163951463, -0.5211883463183534, -0.9029998010271911, 0.5602126918817105,
                0.5630316043599806, 0.20205493473692737, 0.16157394598161187, 0.5044431269055456,
                -0.12994798948484648, -0.5207390832970216, -0.907837635448732);
        assertValues("src gradient", src.grad(),
                -3.415081849514543e-05, 3.0314049910062585e-05, 1.8392227543495103e-05, 8.658065604011492e-06,
                -6.832200869284848e-05, -2.4241316749060578e-05, 9.410786553756286e-06, 3.933693025142599e-05,
                -5.4769523545488596e-05, 2.106766122116135e-05, 1.723193210844167e-05, 1.759476976147989e-05,
                -6.154062564285568e-05, -1.1695286949465683e-05, 1.911878517989555e-05, 4.1823714493672224e-05,
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("tgt gradient", tgt.grad(),
                4.844232622260676e-05, 0.00013586045027719033, 0.000695568307253828, 0.0017958673869972405,
                0.0010631862448266995, 0.0006893021694117834, -0.0008133152662928396, -0.0012387905780836968,
                0.010550045071153811, 0.008523188373741789, 0.0055798167204098754, -0.002690633028683784,
                -0.00879569525226053, -0.01005022051213404, -0.007245383809663691, -0.0012595130827537193,
                0.01685870568506248, 0.016476086879502583, 0.015512193063353476, -0.0015983444820087704,
                -0.013641809559261335, -0.018956312387833477, -0.015790902299293835, -0.007203634509803211,
                0.0025445601507704625, -0.0004410737325952483, 0.029369654642839083, 0.002218423800121761,
                -0.00017786784686327477, -0.003994406933481914, -0.007436698248993429, -0.0214690370543094);
        assertGradient(model, "encoder.layers.0.self_attn.in_proj_bias",
                1.0534810738518212e-06, 5.556233879049487e-07, -1.9163599192913522e-07, -8.528760607743596e-07,
                -1.1819379072908286e-06, -9.422798158845514e-07, -2.7966223912713496e-07, 5.084868355349965e-07,
                -2.117582368135751e-22, -4.235164736271502e-22, -4.235164736271502e-22, -4.235164736271502e-22,
                -1.0587911840678754e-22, 0.0, 0.0, 0.0, 5.298279354335395e-06, 1.2744436529017339e-05,
                1.4196686066788049e-05, 8.972012318010037e-06, -4.723390154880693e-07, -9.694541929501294e-06,
                -1.4357250292674107e-05, -1.226751950497758e-05);
        assertGradient(model, "encoder.norm.weight",
                0.0012772289555633364, 2.4199009309210978e-05, -0.002250935704679107, 0.00013333542165998403,
                0.0031713334759048153, -0.0006487865842507365, -0.00026928852492389934, -0.0018808003373529713);
        assertGradient(model, "decoder.layers.0.multihead_attn.out_proj.weight",
                8.804232721360346e-05, -0.0002129679999408264, -0.00041748629415166885, -0.00043205866107692343,
                -0.00024969101179355687, 4.6798451816268286e-05, 0.00032240480358703907, 0.00045143892780570994,
                -0.003121657111493002, 0.007551062296627941, 0.014802528972004998, 0.015319211461900122,
                0.008853125117876292, -0.001659301113990813, -0.011431288946621916, -0.016006364494281552,
                0.0037215203752813198, -0.00900208805859159, -0.017647009658619272, -0.018262978787447825,
                -0.010554357619425797, 0.0019781554124587947, 0.013627946065205957, 0.019082176387373414,
                -0.0007377791560376726, 0.0017846342974930107, 0.003498461524677884, 0.0036205753767569082,
                0.0020923666280317876, -0.00039216279101060895, -0.002701695407629618, -0.0037829786011172556,
                0.00020473393512686705, -0.0004952365375056247, -0.0009708240967294545, -0.0010047107286129315,
                -0.0005806323548589666, 0.00010882528627839167, 0.0007497212648751145, 0.0010497776697162532,
                -0.001672533281536217, 0.004045736784540226, 0.007930955090966679, 0.008207785194039417,
                0.004743360938746445, -0.0008890266417487327, -0.006124699329482421, -0.00857595065093381,
                -0.000879497161705062, 0.002127439887260081, 0.004170471562102658, 0.004316041933163085,
                0.0024942836873546154, -0.0004674922856844134, -0.003220656791674604, -0.004509640755599911,
                0.002397170073150164, -0.005798580669883219, -0.011367097100251827, -0.011763865788721852,
                -0.00679845538593082, 0.001274203681881114, 0.00877826834174045, 0.012291541517037152);
        assertGradient(model, "decoder.norm.bias",
                1.4532813115472965, 1.2113072986725735, 0.3996365360334905, -0.5999895339952618,
                -1.3174311510909806, -1.415264312399012, -0.847476553470913, 0.11889267074100157);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void callableActivationMatchesPyTorch(DType dtype) {
        // torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, dropout=0.0, activation=F.silu, batch_first=True)(src
        //     [2, 3, 8], tgt [2, 4, 8]) in training mode, PyTorch 1.13
        Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).dropout(0.0)
                .activation(Tensor::silu).batchFirst(true).build();
        model.to(dtype);
        load(model,
                key("encoder.layers.0.self_attn.in_proj_weight", 1, 24, 8),
                key("encoder.layers.0.self_attn.in_proj_bias", 2, 24),
                key("encoder.layers.0.self_attn.out_proj.weight", 3, 8, 8),
                key("encoder.layers.0.self_attn.out_proj.bias", 4, 8),
                key("encoder.layers.0.linear1.weight", 5, 16, 8),
                key("encoder.layers.0.linear1.bias", 6, 16),
                key("encoder.layers.0.linear2.weight", 7, 8, 16),
                key("encoder.layers.0.linear2.bias", 8, 8),
                key("encoder.layers.0.norm1.weight", 9, 8),
                key("encoder.layers.0.norm1.bias", 10, 8),
                key("encoder.layers.0.norm2.weight", 11, 8),
                key("encoder.layers.0.norm2.bias", 12, 8),
                key("encoder.norm.weight", 13, 8),
                key("encoder.norm.bias", 14, 8),
                key("decoder.layers.0.self_attn.in_proj_weight", 15, 24, 8),
                key("decoder.layers.0.self_attn.in_proj_bias", 16, 24),
                key("decoder.layers.0.self_attn.out_proj.weight", 17, 8, 8),
                key("decoder.layers.0.self_attn.out_proj.bias", 18, 8),
                key("decoder.layers.0.multihead_attn.in_proj_weight", 19, 24, 8),
                key("decoder.layers.0.multihead_attn.in_proj_bias", 20, 24),
                key("decoder.layers.0.multihead_attn.out_proj.weight", 21, 8, 8),
                key("decoder.layers.0.multihead_attn.out_proj.bias", 22, 8),
                key("decoder.layers.0.linear1.weight", 23, 16, 8),
                key("decoder.layers.0.linear1.bias", 24, 16),
                key("decoder.layers.0.linear2.weight", 25, 8, 16),
                key("decoder.layers.0.linear2.bias", 26, 8),
                key("decoder.layers.0.norm1.weight", 27, 8),
                key("decoder.layers.0.norm1.bias", 28, 8),
                key("decoder.layers.0.norm2.weight", 29, 8),
                key("decoder.layers.0.norm2.bias", 30, 8),
                key("decoder.layers.0.norm3.weight", 31, 8),
                key("decoder.layers.0.norm3.bias", 32, 8),
                key("decoder.norm.weight", 33, 8),
                key("decoder.norm.bias", 34, 8));
        Tensor src = tensor(dtype, 100, 2, 3, 8);
        Tensor tgt = tensor(dtype, 101, 2, 4, 8);
        Tensor y = model.forward(src, tgt);
        backward(200, y);

        assertValues("output", y,
                0.568715216867226, 0.5680539379564136, 0.20493124964367498, 0.1885097403699459, 0.5022200291916459,
                -0.13548828546614414, -0.5212194038330297, -0.9054991703686824, 0.567707731494698,
                0.5673386366080133, 0.20478644168458793, 0.18439012450095998, 0.5013402946450595,
                -0.13469855631827712, -0.5210806951698993, -0.9072781099047654, 0.5657463092750378,
                0.5660445861771283, 0.20455106659837377, 0.1766873820371064, 0.49985082886103743,
                -0.13325350601992028, -0.5208371141942514, -0.9103672085168538, 0.5560332084553827,
                0.5613248025600244, 0.20422484766154844, 0.1435071162121703, 0.4965528669252824,
                -0.12787675564132459, -0.5200252854747575, -0.920147340471549, 0.5732276332799012,
                0.5724594603449223, 0.20612422358519233, 0.2106737469720363, 0.5089350834102451,
                -0.14031065091788947, -0.522119284571266, -0.8936905845480102, 0.5732736902465092,
                0.5726414783461531, 0.2062034282581744, 0.21125615395291888, 0.5093432465096264,
                -0.1405088273730896, -0.5221588581175249, -0.8931747449080707, 0.5732256219936263,
                0.5724455206389989, 0.20612994742446197, 0.2105950724453164, 0.5088965102131857,
                -0.14029274478450748, -0.5221135925084273, -0.8937640836900583, 0.573032230792311,
                0.5720450704564914, 0.20598513021326784, 0.2090533638004452, 0.5080820964993146,
                -0.13985532673327822, -0.5220252871453441, -0.8949228239166609);
        assertValues("src gradient", src.grad(),
                -2.504405878725232e-05, 2.6017506230558017e-05, 1.6588867788422258e-05, 1.741257465288331e-05,
                -5.7777093347313744e-05, -2.787545165673509e-05, 4.5511045427175793e-07, 3.429573310261918e-05,
                -3.871013855348162e-05, 1.9042373553680245e-05, 1.4039022830463e-05, 2.2787136233578513e-05,
                -5.5313880333865874e-05, -2.0187632717260253e-05, 8.037141012489142e-06, 3.901355860342098e-05,
                -5.1995957924004976e-05, 1.2452978358105268e-05, 1.3190157270132258e-05, 2.9684222245943704e-05,
                -4.964026656425196e-05, -1.1882088293818748e-05, 1.383684503815886e-05, 4.0081275049355794e-05,
                5.389123694041118e-05, 2.140291736393503e-06, -2.4181616630018833e-06, -4.200069535424982e-05,
                4.263071273618566e-05, 1.3414686641585767e-05, -1.5155799614672408e-05, -4.966194397352402e-05,
                5.911705915917043e-05, -3.8509226741592385e-06, -1.0908015569577575e-05, -5.336601558289633e-05,
                4.577035849956147e-05, 1.869294059262172e-05, -9.36403111583375e-06, -4.751094189220153e-05,
                6.0051353312966514e-05, -7.155316063940541e-06, -1.3849586617707947e-05, -5.6740562903814986e-05,
                4.932908756661298e-05, 2.2202426028365826e-05, -7.111066199298265e-06, -4.8211240144383935e-05);
        assertValues("tgt gradient", tgt.grad(),
                0.0010339443020973681, 0.0019700192434967552, 0.003233381015020148, 0.006591416407990721,
                0.0031167780842553117, 0.00024352436432617422, -0.003556366408832564, -0.005585331941555972,
                0.010265202734169485, 0.008192554760445161, 0.008262732954098139, 0.0002209905281825577,
                -0.0070663107471458375, -0.009712884206480806, -0.008113305734485106, -0.004257768774834298,
                0.017146733252651543, 0.015359699100363226, 0.019031979873580664, -0.001819053928628369,
                -0.014302678439135907, -0.019746677980979867, -0.015957158439901083, -0.008567178503451442,
                0.0010363074616167225, -0.0012933185172044753, 0.0312243651288807, 0.002020283494801797,
                0.000852545289724697, -0.0017633057914494925, -0.008328557182488223, -0.02247156415240991,
                -0.0010565691588927304, -0.002170903549769361, -0.0014366257284321327, -0.0030266169204900342,
                -0.0009052704620538638, 0.000739069997270596, 0.002922918952900297, 0.003262043805969225,
                -0.0008933075272174925, -0.00030340625818425315, -0.000996736416314449, -0.0013054794529343136,
                -0.00020943609021476474, 0.00014421799409564562, 0.0010847859839619816, 0.0017408088481702267,
                -0.0003564917996111792, 0.0008832361500050852, -0.0009058042360590686, 0.00018531945347274336,
                0.00028134011151880714, -9.6069290894702e-05, -0.0003330143256870789, 0.0002975141781530767,
                1.0268813149771405e-05, 0.0009472580299173675, -0.0009047205138722885, 0.0008850630996122345,
                0.0005195032839085724, 7.261938150474425e-05, -0.0007248342770220237, -0.0004307563764062512);
        assertGradient(model, "encoder.layers.0.self_attn.in_proj_bias",
                1.9787984807057335e-06, 2.723580083852943e-06, 2.2458330801471172e-06, 7.600029277304014e-07,
                -1.0434289941881984e-06, -2.341195102968518e-06, -2.588073079407164e-06, -1.6732472399897723e-06,
                2.117582368135751e-22, 2.6469779601696886e-22, -1.0587911840678754e-22, -2.117582368135751e-22,
                -4.235164736271502e-22, -3.1763735522036263e-22, 2.6469779601696886e-23, -7.411538288475128e-22,
                -2.854194940211856e-06, 1.1916232298142064e-05, 2.1082269290414074e-05, 2.033298561585943e-05,
                1.002078109450214e-05, -5.004353354623341e-06, -1.7675862225891328e-05, -2.203413689935678e-05);
        assertGradient(model, "encoder.norm.weight",
                0.0009934047740625042, 7.432883323165476e-05, -0.0027488414652212163, -0.0002817041700254479,
                -0.00014357416076833546, 0.002206090240781164, -0.0015329978055219906, -0.0009606605120136351);
        assertGradient(model, "decoder.layers.0.multihead_attn.out_proj.weight",
                -0.0033196171020621174, 0.007840971283396185, 0.01544878874577204, 0.01602779550085756,
                0.00930133096550144, -0.0016758170372877274, -0.01190530364584866, -0.01672224053040326,
                -0.0008396148812202875, 0.0021857365416373016, 0.004221045319969021, 0.004336277767431736,
                0.002475199728730017, -0.0005172612151566103, -0.003278766847045021, -0.004550070694322946,
                0.0030705607283826636, -0.007490279822314566, -0.014657626703541333, -0.015156582953277174,
                -0.008747360810307298, 0.0016596437387729447, 0.011325990773045951, 0.015843673830698495,
                0.002030666280176918, -0.00477596224301986, -0.00941855334476634, -0.009775899544406334,
                -0.005677372706671148, 0.0010156757453901862, 0.007255601385442757, 0.010196843605798563,
                -0.0038867687580312247, 0.009201219961052835, 0.018120137227927272, 0.018794887399752314,
                0.010902942284573308, -0.0019716411367429053, -0.013966563623329509, -0.019611862920098113,
                -0.0004571410504433683, 0.001173170724626036, 0.002272063331803513, 0.002337405529228728,
                0.0013374342854896683, -0.0002738437899181109, -0.0017628639124165773, -0.0024506278382236406,
                0.00038498231115117, -0.0008338851822794861, -0.001674796485898556, -0.0017535710022015861,
                -0.0010330059853112378, 0.00015955686859724083, 0.0012810011005474394, 0.0018198971499801225,
                0.0030169324720462445, -0.007300971263098444, -0.01431105809126561, -0.014810312697385242,
                -0.008559167762004745, 0.0016036868263449822, 0.011050904769603619, 0.015474387396570774);
        assertGradient(model, "decoder.norm.bias",
                0.058208850789400024, 0.4249477221265936, 0.5918270397563028, 0.48036085303605947,
                0.14297345128755615, -0.2616565986232533, -0.5432254617044445, -0.5693069020140299);
    }

    @Test
    void stateDictNamesArePyTorchsInPyTorchsOrder() {
        try (Transformer model = Transformer.builder().dModel(8).nhead(2).numEncoderLayers(1).numDecoderLayers(1)
                .dimFeedforward(16).build()) {
            assertEquals(PYTORCH_STATE_DICT_KEYS, List.copyOf(model.stateDict().keySet()));
        }
    }
}
