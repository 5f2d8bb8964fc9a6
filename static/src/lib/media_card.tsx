// One file in the media grid: a small thumbnail, its name and size, a box to select it.
import { url } from "./boot.ts";
import { dimensionsText, displayName, sizeText } from "./media_format.ts";
import type { MediaItem } from "../../../routes/media/wire.ts";

interface CardProps {
  item: MediaItem;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onOpen: () => void;
}

/** The thumbnail a card or the detail view loads: SVGs are small already and have no thumbnail. */
export function thumbnailOf(item: MediaItem, width: number): string {
  return url(`media/${item.filename}${item.filename.endsWith(".svg") ? "" : `?w=${width}`}`);
}

export function MediaCard({ item, selected, onSelect, onOpen }: CardProps) {
  const name = displayName(item);
  const meta = [dimensionsText(item), sizeText(item.size)].filter(Boolean).join(" · ");
  return (
    <li
      class={selected ? "media-card selected" : "media-card"}
      data-filename={item.filename}
    >
      <button type="button" class="media-open" onClick={onOpen} title={`Open ${name}`}>
        <img src={thumbnailOf(item, 320)} alt={name} loading="lazy" />
      </button>
      <label class="media-select" title={selected ? "Unselect" : "Select"}>
        <input
          type="checkbox"
          checked={selected}
          aria-label={`Select ${name}`}
          onChange={(e) => onSelect(e.currentTarget.checked)}
        />
      </label>
      <span class="media-name" title={name}>{name}</span>
      <span class="media-meta">{meta}</span>
    </li>
  );
}

/** Grey cards while a page loads, as many as the page will hold (up to a screenful). */
export function MediaSkeleton({ count }: { count: number }) {
  return (
    <ul class="media-grid" id="media-loading" aria-busy="true" aria-label="Loading files">
      {Array.from({ length: count }, (_, i) => <li key={i} class="media-card skeleton" />)}
    </ul>
  );
}
