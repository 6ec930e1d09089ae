/** The ten output activations as bars, the largest highlighted. */
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

  show(outputs: ArrayLike<number> | null): void {
    let best = -1;
    if (outputs) for (let d = 0; d < 10; d++) if (best < 0 || outputs[d]! > outputs[best]!) best = d;
    const max = outputs ? Math.max(1, ...Array.from(outputs)) : 1;
    for (let d = 0; d < 10; d++) {
      const v = outputs ? outputs[d]! : 0;
      this.bars[d]!.style.width = `${Math.max(0, (v / max) * 100).toFixed(1)}%`;
      this.values[d]!.textContent = outputs ? v.toFixed(3) : "–";
      this.bars[d]!.parentElement!.parentElement!.classList.toggle("best", d === best);
    }
    this.guess.textContent = outputs ? `It looks like a ${best}` : "Draw a digit";
    this.guess.dataset["digit"] = outputs ? String(best) : "";
  }
}
