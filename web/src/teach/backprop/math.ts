/**
 * The equations of the backprop view as MathML (drawn by the browser with its own fonts: nothing
 * is fetched). Nielsen's notation: wˡⱼₖ joins neuron k of layer l−1 to neuron j of layer l.
 */
const mi = (s: string) => `<mi>${s}</mi>`;
const mo = (s: string) => `<mo>${s}</mo>`;
const mn = (s: string) => `<mn>${s}</mn>`;
const sup = (base: string, s: string) => `<msup>${base}${s}</msup>`;
const sub = (base: string, s: string) => `<msub>${base}${s}</msub>`;
const subsup = (base: string, b: string, s: string) => `<msubsup>${base}${b}${s}</msubsup>`;
const row = (...xs: string[]) => `<mrow>${xs.join("")}</mrow>`;
const frac = (a: string, b: string) => `<mfrac>${a}${b}</mfrac>`;
const math = (...xs: string[]) => `<math display="block">${xs.join("")}</math>`;

const l = mi("l");
const lm1 = row(mi("l"), mo("−"), mn("1"));
const lp1 = row(mi("l"), mo("+"), mn("1"));
const L = mi("L");
const sigmaPrime = (arg: string) => row(sup(mi("σ"), mo("′")), mo("("), arg, mo(")"));
const partial = (of: string, by: string) => frac(row(mo("∂"), of), row(mo("∂"), by));

export type EquationId = "fz" | "fa" | "cost" | "bp1" | "bp2" | "bp3" | "bp4";

/** zˡ = wˡaˡ⁻¹ + bˡ */
export const FZ = math(sup(mi("z"), l), mo("="), sup(mi("w"), l), sup(mi("a"), lm1), mo("+"), sup(mi("b"), l));
/** aˡ = σ(zˡ) */
export const FA = math(sup(mi("a"), l), mo("="), mi("σ"), mo("("), sup(mi("z"), l), mo(")"));
/** BP1  δᴸ = ∇ₐC ⊙ σ′(zᴸ) */
export const BP1 = math(sup(mi("δ"), L), mo("="), sub(mi("∇"), mi("a")), mi("C"), mo("⊙"), sigmaPrime(sup(mi("z"), L)));
/** BP2  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ) */
export const BP2 = math(sup(mi("δ"), l), mo("="), mo("("), sup(row(mo("("), sup(mi("w"), lp1), mo(")")), mi("T")), sup(mi("δ"), lp1), mo(")"), mo("⊙"), sigmaPrime(sup(mi("z"), l)));
/** BP3  ∂C/∂bˡⱼ = δˡⱼ */
export const BP3 = math(partial(mi("C"), subsup(mi("b"), mi("j"), l)), mo("="), subsup(mi("δ"), mi("j"), l));
/** BP4  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ */
export const BP4 = math(partial(mi("C"), subsup(mi("w"), row(mi("j"), mi("k")), l)), mo("="), subsup(mi("a"), mi("k"), lm1), subsup(mi("δ"), mi("j"), l));

const aL = (j: string) => subsup(mi("a"), mi(j), L);
const yj = sub(mi("y"), mi("j"));
const sum = (under: string) => `<munder>${mo("∑")}${under}</munder>`;

/** The cost of one example as descent defines it, for this cost and output layer. */
export function costEquation(cost: "quadratic" | "cross-entropy", output: string): string {
  if (cost === "quadratic") return math(mi("C"), mo("="), frac(mn("1"), mn("2")), sum(mi("j")), sup(row(mo("("), yj, mo("−"), aL("j"), mo(")")), mn("2")));
  if (output === "sigmoid") {
    return math(mi("C"), mo("="), mo("−"), sum(mi("j")), mo("["), yj, mi("ln"), aL("j"), mo("+"), row(mo("("), mn("1"), mo("−"), yj, mo(")")), mi("ln"), row(mo("("), mn("1"), mo("−"), aL("j"), mo(")")), mo("]"));
  }
  // Softmax (or raw scores): the log-likelihood of the true class y.
  return math(mi("C"), mo("="), mo("−"), mi("ln"), subsup(mi("a"), mi("y"), L));
}

/** BP1 as it works out for this cost and output (backpropByHand's outputError), in MathML. */
export function bp1Here(outputError: string): string {
  const dL = sup(mi("δ"), L);
  switch (outputError) {
    case "δᴸ = aᴸ − y":
      return math(dL, mo("="), sup(mi("a"), L), mo("−"), mi("y"));
    case "δᴸ = softmax(zᴸ) − y":
      return math(dL, mo("="), mi("softmax"), mo("("), sup(mi("z"), L), mo(")"), mo("−"), mi("y"));
    case "δᴸ = J_softmax(zᴸ)ᵀ ∇ₐC":
      return math(subsup(mi("δ"), mi("j"), L), mo("="), aL("j"), row(mo("("), row(mo("∂"), mi("C"), mo("/"), mo("∂"), aL("j")), mo("−"), sum(mi("k")), aL("k"), row(mo("∂"), mi("C"), mo("/"), mo("∂"), aL("k")), mo(")")));
    default:
      return math(dL, mo("="), row(mo("("), sup(mi("a"), L), mo("−"), mi("y"), mo(")")), mo("⊙"), sigmaPrime(sup(mi("z"), L)));
  }
}
