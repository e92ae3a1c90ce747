// What a file is, read from its first bytes (never from its name or the type the client claims).
// Only the types below may be uploaded; everything else (executables, HTML, SVG, archives other than
// ZIP, ...) is refused.

/** Bytes read before deciding; enough for every signature below. */
export const SNIFF_BYTES = 4096;

export interface SniffedType {
  contentType: string;
  /** Extensions a file of this type may carry; another known extension is a disguise. */
  extensions: readonly string[];
  /** Text must stay valid UTF-8 without control bytes to the end, not only in its first bytes. */
  text?: boolean;
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const asciiAt = (bytes: Uint8Array, offset: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(offset, offset + length));

const PNG: SniffedType = { contentType: 'image/png', extensions: ['png'] };
const JPEG: SniffedType = { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'] };
const GIF: SniffedType = { contentType: 'image/gif', extensions: ['gif'] };
const WEBP: SniffedType = { contentType: 'image/webp', extensions: ['webp'] };
const PDF: SniffedType = { contentType: 'application/pdf', extensions: ['pdf'] };
const MP4: SniffedType = { contentType: 'video/mp4', extensions: ['mp4', 'm4v'] };
const M4A: SniffedType = { contentType: 'audio/mp4', extensions: ['m4a', 'mp4'] };
const WEBM: SniffedType = { contentType: 'video/webm', extensions: ['webm'] };
const MP3: SniffedType = { contentType: 'audio/mpeg', extensions: ['mp3'] };
const OGG: SniffedType = { contentType: 'audio/ogg', extensions: ['ogg', 'oga', 'opus'] };
const OGG_VIDEO: SniffedType = { contentType: 'video/ogg', extensions: ['ogv', 'ogg'] };
const WAV: SniffedType = { contentType: 'audio/wav', extensions: ['wav'] };
const ZIP: SniffedType = {
  contentType: 'application/zip',
  // Office documents and e-books are ZIP containers
  extensions: ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub'],
};
const MARKDOWN: SniffedType = { contentType: 'text/markdown', extensions: ['md', 'markdown'], text: true };
/** Extensions that say "text": a binary file may not wear one. */
const TEXT_EXTENSIONS = ['txt', 'text', 'md', 'markdown', 'csv', 'tsv', 'json', 'log'];
const PLAIN_TEXT: SniffedType = { contentType: 'text/plain', extensions: [], text: true };

const BINARY_TYPES = [PNG, JPEG, GIF, WEBP, PDF, MP4, M4A, WEBM, MP3, OGG, OGG_VIDEO, WAV, ZIP];
/** Every extension that names a binary type: a text file may not wear one. */
const BINARY_EXTENSIONS = new Set([
  ...BINARY_TYPES.flatMap((type) => type.extensions),
  // well-known types that are refused, so that their names cannot be reused for text either
  ...['exe', 'dll', 'msi', 'bat', 'cmd', 'com', 'scr', 'ps1', 'sh', 'jar', 'apk', 'dmg', 'iso', 'bin'],
  ...['html', 'htm', 'xhtml', 'svg', 'xml', 'js', 'mjs'],
  ...['bmp', 'tif', 'tiff', 'ico', 'heic', 'avif', 'mov', 'avi', 'mkv', 'flac', 'aac', 'rar', '7z', 'gz', 'tar'],
]);

function sniffMp4(bytes: Uint8Array): SniffedType | undefined {
  if (asciiAt(bytes, 4, 4) !== 'ftyp') return undefined;
  const brand = asciiAt(bytes, 8, 4);
  if (brand.startsWith('M4A') || brand.startsWith('M4B')) return M4A;
  // QuickTime, HEIF/AVIF images and 3GPP are other formats in the same box structure
  if (brand === 'qt  ' || /^(hei|hev|mif|msf|avi)/.test(brand) || brand.startsWith('3g')) return undefined;
  return MP4;
}

function sniffMp3(bytes: Uint8Array): SniffedType | undefined {
  if (startsWith(bytes, ascii('ID3'))) return MP3;
  // an MPEG audio frame header: 11 sync bits, MPEG version not reserved, layer III
  const [first, second] = [bytes[0] ?? 0, bytes[1] ?? 0];
  return first === 0xff && (second & 0xe0) === 0xe0 && (second & 0x18) !== 0x08 && (second & 0x06) === 0x02 ? MP3 : undefined;
}

function sniffOgg(bytes: Uint8Array): SniffedType | undefined {
  if (!startsWith(bytes, ascii('OggS'))) return undefined;
  return asciiAt(bytes, 28, 7).includes('theora') ? OGG_VIDEO : OGG;
}

function sniffEbml(bytes: Uint8Array): SniffedType | undefined {
  if (!startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  // the DocType element of the header says webm (or matroska, which is not accepted)
  return asciiAt(bytes, 0, Math.min(bytes.length, 64)).includes('webm') ? WEBM : undefined;
}

function sniffRiff(bytes: Uint8Array): SniffedType | undefined {
  if (!startsWith(bytes, ascii('RIFF'))) return undefined;
  const form = asciiAt(bytes, 8, 4);
  return form === 'WEBP' ? WEBP : form === 'WAVE' ? WAV : undefined;
}

const binarySniffers: Array<(bytes: Uint8Array) => SniffedType | undefined> = [
  (b) => (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ? PNG : undefined),
  (b) => (startsWith(b, [0xff, 0xd8, 0xff]) ? JPEG : undefined),
  (b) => (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')) ? GIF : undefined),
  (b) => (startsWith(b, ascii('%PDF-')) ? PDF : undefined),
  (b) => (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]) ? ZIP : undefined),
  sniffRiff,
  sniffMp4,
  sniffEbml,
  sniffOgg,
  sniffMp3,
];

/** Control bytes other than tab, line feed, form feed and carriage return never occur in text. */
export const hasControlBytes = (bytes: Uint8Array): boolean =>
  bytes.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f);

/**
 * Is the head UTF-8 text? The head may end inside a multi-byte character, so a streaming decoder
 * checks it (the caller keeps decoding the rest with the same decoder).
 */
function looksLikeText(head: Uint8Array, decoder: TextDecoder): string | undefined {
  if (hasControlBytes(head)) return undefined;
  try {
    return decoder.decode(head, { stream: true });
  } catch {
    return undefined;
  }
}

/** Markup a browser would run if it ever rendered the file: refused even as text. */
const ACTIVE_MARKUP = /^\s*<(!doctype\s+html|html|svg|\?xml|script|head|body|iframe)\b/i;

export function extensionOf(fileName: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  return match ? match[1]!.toLowerCase() : undefined;
}

/**
 * The allowed type of a file from its first bytes (at most SNIFF_BYTES; fewer only when the file is
 * that short), or undefined when it is not an allowed type or its name claims another type.
 * `decoder` is a fatal UTF-8 decoder that the caller keeps using on the rest of a text file.
 */
export function sniff(head: Uint8Array, fileName: string, decoder: TextDecoder): SniffedType | undefined {
  const extension = extensionOf(fileName);
  for (const sniffer of binarySniffers) {
    const type = sniffer(head);
    if (!type) continue;
    const claimsOther = extension !== undefined && !type.extensions.includes(extension) && (BINARY_EXTENSIONS.has(extension) || TEXT_EXTENSIONS.includes(extension));
    return claimsOther ? undefined : type;
  }
  const text = looksLikeText(head.subarray(startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0), decoder);
  if (text === undefined || ACTIVE_MARKUP.test(text)) return undefined;
  if (extension !== undefined && BINARY_EXTENSIONS.has(extension)) return undefined;
  return extension !== undefined && MARKDOWN.extensions.includes(extension) ? MARKDOWN : PLAIN_TEXT;
}

/** The extension to give a file sent without one. */
export const defaultExtension = (type: SniffedType): string => type.extensions[0] ?? 'txt';
