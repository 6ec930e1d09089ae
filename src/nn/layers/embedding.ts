import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { embedding } from "../../ops/embedding.js";
import { Rng } from "../../rng.js";
import { leaf, MAX_TENSOR, type LayerDefinition } from "../layer.js";

/**
 * A table of numEmbeddings vectors of embeddingDim values (torch.nn.Embedding; weight N(0, 1) as
 * there). Input: token ids as integral values of any shape [...]; output [..., embeddingDim].
 */
export class Embedding extends Module {
  readonly weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: { rng?: Rng } = {}) {
    super();
    this.weight = Parameter.fromTensor(Tensor.randn([numEmbeddings, embeddingDim], opts.rng ?? new Rng(0).fork("init")));
  }

  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`);
  }

  spec(): LayerSpec {
    return { type: "Embedding", numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }
}

export const embeddingLayer: LayerDefinition = {
  type: "Embedding",
  fromSpec: (r) => {
    const [v, e] = [r.int("numEmbeddings"), r.int("embeddingDim")];
    if (v * e > MAX_TENSOR) r.fail(`a ${v}×${e} table (${v * e} values) exceeds the ${MAX_TENSOR}-value limit`);
    return leaf(() => new Embedding(v, e), v * e);
  },
  label: (s) => `embed ${String(s.numEmbeddings)}→${String(s.embeddingDim)}`,
  input: (s) => ({ tokens: s.numEmbeddings as number }),
  tokens: [{
    // The vocabulary comes from the data (ArchContext.vocabulary) or is written: embed64v96.
    pattern: /^embed(\d+)(?:v(\d+))?$/, syntax: "embed<D>[v<V>]",
    plan: (m, ctx) => {
      const dim = ctx.int("dimensions", m[1], 0);
      const vocab = (m[2] !== undefined ? ctx.int("vocabulary", m[2], 0) : ctx.vocabulary) ??
        ctx.fail("needs the vocabulary size: the data gives it for token inputs, or write it as embed<D>v<V> (e.g. embed64v96)");
      if (vocab * dim > MAX_TENSOR) ctx.fail(`asks for a ${vocab}×${dim} table, more than ${MAX_TENSOR} values`);
      const rng = ctx.initRng;
      ctx.add(() => new Embedding(vocab, dim, { rng }), vocab * dim);
      return [...ctx.shape, dim];
    },
  }],
};
