// A QR code of the join link, drawn as SVG from uqr's module matrix.
import { useMemo } from "preact/hooks";
import { encode } from "uqr";

export function QrCode({ text, size = 176 }: { text: string; size?: number }) {
  const { path, modules } = useMemo(() => {
    const qr = encode(text, { border: 2 });
    let d = "";
    qr.data.forEach((row, y) =>
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      })
    );
    return { path: d, modules: qr.size };
  }, [text]);
  return (
    <svg
      class="qr"
      id="qr"
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shape-rendering="crispEdges"
      role="img"
      aria-label={`QR code for ${text}`}
    >
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
