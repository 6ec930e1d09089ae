/**
 * View "backprop" (issue 17, view 4): backpropagation step by step, after Nielsen's chapter 2 and
 * the French tutorial's worked example. Two real networks — a 2-3-2 sigmoid network from a seed
 * (input x and target y editable) and the explorer's 784-16-16-10 digits network on a test image
 * or your drawing — go forward (zˡ, aˡ), reach the cost, then BP1 (δᴸ), BP2 (each δˡ), BP3
 * (∂C/∂b) and BP4 (∂C/∂w), each beside its equation with the numbers it combines highlighted in
 * the picture. Every number is backpropByHand's (analysis/backprop.ts); "check numerically" runs
 * the same checks as `descent explain backprop` (finite differences and autograd).
 */
import "./backprop.css";
import { defineStrings } from "../i18n.js";
import type { MountedView, TeachingView, ViewContext } from "./view.js";

/** The view's strings (backprop/page.ts, loaded when the view is first shown, draws it). */
export const t = defineStrings("view.backprop", {
  title: "Backpropagation, step by step",
  summary: "Nielsen's four equations (chapter 2) worked out on a real network: forward, the cost, the output error, the errors moved back layer by layer, and every gradient, with a numerical check.",
  setupH: "The network and the example",
  network: "Network",
  tiny: "2-3-2 sigmoid (every number)",
  digits: "784-16-16-10 (a digit)",
  cost: "Cost function",
  quadratic: "quadratic",
  crossEntropy: "cross-entropy",
  costHint: "The cost changes only BP1, the output error; BP2–BP4 are the same equations for every cost.",
  seed: "Seed of the weights",
  x1: "Input x₁",
  x2: "Input x₂",
  y1: "Target y₁",
  y2: "Target y₂",
  tinyHint: "Weights and biases drawn from N(0, 1) with the seed, as in the book. Change x or y and follow the numbers.",
  pad: "Drawing area: draw a digit with the mouse, a finger or a pen; the network then reads your drawing",
  padHint: "Draw a digit, or pick a test image.",
  clear: "Clear",
  image: "MNIST test image",
  nextImage: "Next test image",
  label: "Label y (the true digit)",
  source: "The network reads test image #{i} (a {d}).",
  sourceDrawing: "The network reads your drawing.",
  prediction: "It answers {p} (aᴸ largest); the cost compares aᴸ with y = {y}.",
  model: "Weights: {file}.",
  loading: "Loading the digits network and the MNIST test images…",
  loadFailed: "Could not load {what} from the explorer server: is it still running?",
  stepsH: "Steps",
  back: "Back",
  next: "Next",
  stepOf: "Step {n} of {total}",
  sForward: "Forward, layer {l}: z and a",
  sCost: "The cost C",
  sBp1: "BP1: the output error δᴸ",
  sBp2: "BP2: the error of layer {l}",
  sBp3: "BP3: ∂C/∂b, every layer",
  sBp4: "BP4: ∂C/∂w, every layer",
  eForward: "Each neuron j of layer {l} sums its inputs aˡ⁻¹ₖ weighted by wˡⱼₖ, adds its bias: that is zˡⱼ (the weighted input); then σ squashes it into the activation aˡⱼ = σ(zˡⱼ).",
  eCost: "The output aᴸ is compared with the target y. The cost C measures how wrong the network is on this one example.",
  eBp1: "How fast C changes when zᴸⱼ moves: how fast C changes with aᴸⱼ, times how fast aᴸⱼ changes with zᴸⱼ. For this cost and this output it works out as:",
  eBp2: "The error moves back one layer: each neuron k of layer {l} collects the errors δˡ⁺¹ⱼ of the layer after it, through the very weights wˡ⁺¹ⱼₖ that carried its activation forward, then multiplies by σ′(zˡₖ).",
  eBp3: "A bias adds straight into z: its gradient is the neuron's error itself.",
  eBp4: "A weight's gradient is the activation at its input end times the error at its output end: a weight from a neuron that barely fires (aˡ⁻¹ₖ ≈ 0) learns slowly.",
  eqH: "The equations",
  eqForward: "forward",
  eqCost: "cost",
  here: "here:",
  pictureH: "The network at this step",
  tinyLabel: "The 2-3-2 network: each circle a neuron with its value, each line a weight with its value (blue positive, red negative); highlighted: what the current step combines",
  digitsLabel: "The 784-16-16-10 network: the input digit, then each layer as a column of neurons shaded by value; highlighted: what the current step combines",
  numbersH: "The numbers of this step",
  neuron: "neuron",
  layer: "layer",
  costValue: "C = {c}",
  gradientsOf: "∂C/∂w of layer {l}: {rows} × {cols}",
  heatLabel: "∂C/∂w of layer {l} as an image: blue positive, red negative",
  tilesHint: "Layer 1: one 28×28 image per hidden neuron j (its 784 gradients ∂C/∂w¹ⱼₖ = xₖ δ¹ⱼ: the drawing, scaled by the neuron's error).",
  largest: "largest |∂C/∂w|: {v} (neuron {j}, input {k})",
  checkH: "Check numerically",
  check: "Check numerically",
  checkHint: "Finite differences nudge one parameter by ±h (h = 10⁻⁶) and measure how C changes: (C(θ + h) − C(θ − h)) / 2h. Autograd is descent's own automatic differentiation.",
  checkAll: "Every one of the {n} parameters compared.",
  checkSome: "{n} parameters compared: every bias, and 50 weights per layer (sampled, with the largest gradient).",
  checkStale: "The example changed: check again.",
  fdCol: "against finite differences",
  autoCol: "against autograd",
  bias: "∂C/∂b",
  weight: "∂C/∂w",
  entries: "entries",
  worst: "Largest relative difference: {fd} against finite differences, {auto} against autograd. Both agree with backpropagation by hand.",
  badParam: "The address asked for {name} = “{value}”, which is not allowed: using {used}.",
}, {
  title: "La rétropropagation, pas à pas",
  summary: "Les quatre équations de Nielsen (chapitre 2) calculées sur un vrai réseau : la propagation avant, le coût, l’erreur de sortie, les erreurs remontées couche par couche, et chaque gradient, avec une vérification numérique.",
  setupH: "Le réseau et l’exemple",
  network: "Réseau",
  tiny: "2-3-2 sigmoïde (tous les nombres)",
  digits: "784-16-16-10 (un chiffre)",
  cost: "Fonction de coût",
  quadratic: "quadratique",
  crossEntropy: "entropie croisée",
  costHint: "Le coût ne change que BP1, l’erreur de sortie ; BP2 à BP4 sont les mêmes équations pour tout coût.",
  seed: "Graine des poids",
  x1: "Entrée x₁",
  x2: "Entrée x₂",
  y1: "Cible y₁",
  y2: "Cible y₂",
  tinyHint: "Poids et biais tirés selon N(0, 1) avec la graine, comme dans le livre. Changez x ou y et suivez les nombres.",
  pad: "Zone de dessin : dessinez un chiffre à la souris, au doigt ou au stylet ; le réseau lit alors votre dessin",
  padHint: "Dessinez un chiffre, ou choisissez une image de test.",
  clear: "Effacer",
  image: "Image de test MNIST",
  nextImage: "Image de test suivante",
  label: "Étiquette y (le vrai chiffre)",
  source: "Le réseau lit l’image de test nº {i} (un {d}).",
  sourceDrawing: "Le réseau lit votre dessin.",
  prediction: "Il répond {p} (la plus grande aᴸ) ; le coût compare aᴸ avec y = {y}.",
  model: "Poids : {file}.",
  loading: "Chargement du réseau des chiffres et des images de test MNIST…",
  loadFailed: "Impossible de charger {what} depuis le serveur de l’explorateur : tourne-t-il encore ?",
  stepsH: "Étapes",
  back: "Précédent",
  next: "Suivant",
  stepOf: "Étape {n} sur {total}",
  sForward: "Propagation avant, couche {l} : z et a",
  sCost: "Le coût C",
  sBp1: "BP1 : l’erreur de sortie δᴸ",
  sBp2: "BP2 : l’erreur de la couche {l}",
  sBp3: "BP3 : ∂C/∂b, toutes les couches",
  sBp4: "BP4 : ∂C/∂w, toutes les couches",
  eForward: "Chaque neurone j de la couche {l} fait la somme de ses entrées aˡ⁻¹ₖ pondérées par les poids wˡⱼₖ et ajoute son biais : c’est l’agrégation zˡⱼ ; puis σ l’écrase en l’activation aˡⱼ = σ(zˡⱼ).",
  eCost: "La sortie aᴸ est comparée à la cible y. Le coût C mesure à quel point le réseau se trompe sur cet exemple.",
  eBp1: "À quelle vitesse C varie quand zᴸⱼ bouge : la variation de C selon aᴸⱼ, multipliée par celle de aᴸⱼ selon zᴸⱼ. Pour ce coût et cette sortie, cela donne :",
  eBp2: "L’erreur remonte d’une couche : chaque neurone k de la couche {l} recueille les erreurs δˡ⁺¹ⱼ de la couche suivante, par les poids wˡ⁺¹ⱼₖ mêmes qui ont porté son activation vers l’avant, puis multiplie par σ′(zˡₖ).",
  eBp3: "Un biais s’ajoute directement à z : son gradient est l’erreur du neurone elle-même.",
  eBp4: "Le gradient d’un poids est l’activation à son entrée multipliée par l’erreur à sa sortie : un poids issu d’un neurone presque éteint (aˡ⁻¹ₖ ≈ 0) apprend lentement.",
  eqH: "Les équations",
  eqForward: "propagation avant",
  eqCost: "coût",
  here: "ici :",
  pictureH: "Le réseau à cette étape",
  tinyLabel: "Le réseau 2-3-2 : chaque cercle est un neurone avec sa valeur, chaque trait un poids avec sa valeur (bleu positif, rouge négatif) ; en surbrillance : ce que l’étape combine",
  digitsLabel: "Le réseau 784-16-16-10 : le chiffre en entrée, puis chaque couche en colonne de neurones colorés selon leur valeur ; en surbrillance : ce que l’étape combine",
  numbersH: "Les nombres de cette étape",
  neuron: "neurone",
  layer: "couche",
  costValue: "C = {c}",
  gradientsOf: "∂C/∂w de la couche {l} : {rows} × {cols}",
  heatLabel: "∂C/∂w de la couche {l} en image : bleu positif, rouge négatif",
  tilesHint: "Couche 1 : une image 28×28 par neurone caché j (ses 784 gradients ∂C/∂w¹ⱼₖ = xₖ δ¹ⱼ : le dessin, multiplié par l’erreur du neurone).",
  largest: "plus grand |∂C/∂w| : {v} (neurone {j}, entrée {k})",
  checkH: "Vérification numérique",
  check: "Vérifier numériquement",
  checkHint: "Les différences finies modifient un paramètre de ±h (h = 10⁻⁶) et mesurent la variation de C : (C(θ + h) − C(θ − h)) / 2h. L’autograd est la différentiation automatique de descent.",
  checkAll: "Les {n} paramètres sont tous comparés.",
  checkSome: "{n} paramètres comparés : tous les biais, et 50 poids par couche (tirés au hasard, plus celui de plus grand gradient).",
  checkStale: "L’exemple a changé : vérifiez à nouveau.",
  fdCol: "contre différences finies",
  autoCol: "contre autograd",
  bias: "∂C/∂b",
  weight: "∂C/∂w",
  entries: "entrées",
  worst: "Plus grand écart relatif : {fd} contre les différences finies, {auto} contre l’autograd. Les deux confirment la rétropropagation à la main.",
  badParam: "L’adresse demandait {name} = « {value} », valeur non permise : on utilise {used}.",
});

/** The page itself (its drawing, pictures and the core library) loads when the view is first shown. */
function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  let handle: MountedView | null = null;
  let destroyed = false;
  import("./backprop/page.js").then((m) => {
    if (!destroyed) handle = m.mountBackprop(root, ctx);
  }).catch((err: unknown) => {
    root.textContent = String(err);
  });
  return {
    destroy() {
      destroyed = true;
      handle?.destroy();
    },
    relabel() {
      handle?.relabel?.();
    },
  };
}

export const backpropView: TeachingView = { id: "backprop", title: () => t("title"), summary: () => t("summary"), mount };
