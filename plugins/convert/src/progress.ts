/**
 * `qemu-img convert -p` writes `    (12.34/100%)\r` to stdout as it goes. Feed it the output as it
 * arrives; it calls back with the latest whole percent of each piece, each at most once and in order.
 */
export function progressParser(onPercent: (percent: number) => void): (text: string) => void {
  let last = -1;
  let pending = '';
  return (text) => {
    pending += text;
    const cut = Math.max(pending.lastIndexOf('\r'), pending.lastIndexOf('\n'));
    if (cut < 0) return;
    const done = pending.slice(0, cut);
    pending = pending.slice(cut + 1);
    const all = [...done.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
    const value = all.length ? Math.floor(Number(all.at(-1)![1])) : -1;
    if (value > last && value <= 100) onPercent((last = value));
  };
}
