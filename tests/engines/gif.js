// The GIF export in any engine (smoke.js): the page-side functions press a figure's GIF button and
// hand back the file the page downloads (driver.run(fn, arg) runs each inside the page: each is
// self-contained, takes one JSON argument and returns JSON); `gifInfo` reads a GIF with an
// independent decoder, Python's Pillow, as tests/gif.test.js does.
import { execFileSync } from 'node:child_process';

/**
 * Keeps every download the page starts (export.js clicks an <a download> on a blob URL) in
 * window.__downloads as {name, blob} instead of saving it, then presses the GIF button in figure
 * `i`'s tools, as a reader does.
 */
export function pressGif({ i }) {
  if (!window.__downloads) {
    const downloads = (window.__downloads = []);
    const blobs = new Map();
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (obj) => {
      const url = create(obj);
      blobs.set(url, obj);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (!this.hasAttribute('download')) return click.call(this);
      downloads.push({ name: this.getAttribute('download'), blob: blobs.get(this.href) ?? null });
    };
  }
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  const button = [...root.querySelectorAll('.tools button')].find((b) => b.textContent === 'GIF');
  if (!button) return { error: 'no GIF button' };
  button.click();
  return { pressed: true };
}

/**
 * Figure `i`'s GIF once downloaded: {name, base64, report (its data-last-export)}; meanwhile
 * {message} (its progress line), or {error} when the figure says the GIF could not be made.
 */
export async function gifDownload({ i }) {
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  const message = root.querySelector('.message:not([hidden])')?.textContent ?? '';
  if (/could not be made/.test(message)) return { error: message };
  const d = (window.__downloads ?? []).find((x) => /\.gif$/.test(x.name));
  if (!d) return { message };
  if (!d.blob) return { error: `the download ${d.name} has no blob` };
  const url = await new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(d.blob);
  });
  return {
    name: d.name,
    base64: String(url).split(',')[1],
    report: JSON.parse(root.querySelector('figure').dataset.lastExport ?? 'null'),
  };
}

/** Pillow's view of a GIF: format, version, size, frames, loop, durations, frames that differ from the first. */
export const PILLOW = `
import json, sys
from PIL import Image, ImageChops, ImageSequence
im = Image.open(sys.argv[1])
frames = [f.convert('RGB') for f in ImageSequence.Iterator(im)]
first = frames[0]
print(json.dumps({'format': im.format, 'version': im.info.get('version', b'').decode(), 'size': list(im.size),
  'frames': len(frames), 'loop': im.info.get('loop'),
  'durations': [f.info.get('duration') for f in ImageSequence.Iterator(Image.open(sys.argv[1]))],
  'differ': sum(1 for f in frames[1:] if ImageChops.difference(first, f).getbbox() is not None)}))
`;

/** What Pillow reads in GIF file `file` (see PILLOW). */
export function gifInfo(file) {
  return JSON.parse(execFileSync('python3', ['-c', PILLOW, file], { encoding: 'utf8' }));
}
