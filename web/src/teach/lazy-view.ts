/** A view whose body is loaded on first mount: the shell gets a handle at once, the body follows. */
import type { MountedView, ViewContext } from "./view.js";

type Mount = (root: HTMLElement, ctx: ViewContext) => MountedView;

export function lazyView(load: () => Promise<Mount>): Mount {
  return (root, ctx) => {
    let handle: MountedView | null = null;
    let destroyed = false;
    load().then((mount) => {
      if (!destroyed) handle = mount(root, ctx);
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
  };
}
