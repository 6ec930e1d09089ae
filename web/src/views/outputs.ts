/** The ten output activations as bars, the largest highlighted. */
import { fixed } from "../i18n.js";
import { t } from "../train-strings.js";

export class OutputBars {
  private readonly bars: HTMLElement[] = [];
  private readonly values: HTMLElement[] = [];

  constructor(list: HTMLOListElement, private readonly guess: HTMLElement) {
    for (let d = 0; d < 10; d++) {
      const li = document.createElement("li");
      li.innerHTML = `<span class="digit">${d}</span><span class="bar"><span></span></span><span class="value">–</span>`;
      list.append(li);
      this.bars.push(li.querySelector(".bar > span")!);
      this.values.push(li.querySelector(".value")!);
    }
  }

  private last: ArrayLike<number> | null = null;

  show(outputs: ArrayLike<number> | null): void {
    this.last = outputs;
    let best = -1;
    if (outputs) for (let d = 0; d < 10; d++) if (best < 0 || outputs[d]! > outputs[best]!) best = d;
    const max = outputs ? Math.max(1, ...Array.from(outputs)) : 1;
    for (let d = 0; d < 10; d++) {
      const v = outputs ? outputs[d]! : 0;
      this.bars[d]!.style.width = `${Math.max(0, (v / max) * 100).toFixed(1)}%`;
      this.values[d]!.textContent = outputs ? fixed(v, 3) : "–";
      this.bars[d]!.parentElement!.parentElement!.classList.toggle("best", d === best);
    }
    this.guess.textContent = outputs ? t("looksLike", { d: String(best) }) : t("drawPrompt");
    this.guess.dataset["digit"] = outputs ? String(best) : "";
  }

  relabel(): void {
    this.show(this.last);
  }
}
