// File types by content (magic bytes), because a name or a declared
// Content-Type is whatever the sender wants it to be.

export type SniffedType =
  | 'pe' | 'elf' | 'macho' | 'script' | 'shell' | 'lnk' | 'iso' | 'zip' | 'ooxml' | 'jar' | 'rar' | '7z' | 'gzip'
  | 'bzip2' | 'xz' | 'cab' | 'tar' | 'ole' | 'pdf' | 'rtf' | 'image' | 'text' | 'unknown';

export const EXECUTABLE_TYPES = new Set<SniffedType>(['pe', 'elf', 'macho', 'script', 'lnk', 'jar']);
export const ARCHIVE_TYPES = new Set<SniffedType>(['zip', 'jar', 'rar', '7z', 'gzip', 'bzip2', 'xz', 'cab', 'tar', 'iso']);

function startsWith(b: Uint8Array, bytes: number[], at = 0): boolean {
  if (b.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (b[at + i] !== bytes[i]) return false;
  return true;
}

// Text that runs as a program when opened on Windows or a Unix shell.
const SCRIPT_TEXT = /^(?:\ufeff)?\s*(?:@echo\s+off|<\s*(?:script|job|package|hta:application)\b|<\?xml[^>]*>\s*<(?:job|package|scriptlet)\b|set\s+\w+\s*=\s*(?:wscript|createobject)|(?:dim|sub|function)\s+\w+|on\s+error\s+resume\s+next|powershell\b|\$\w+\s*=\s*new-object\b|var\s+\w+\s*=\s*(?:new\s+)?activexobject)/i;

export function sniffType(b: Uint8Array): SniffedType {
  if (b.length < 2) return 'unknown';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'pe'; // MZ
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (startsWith(b, [0xfe, 0xed, 0xfa, 0xce]) || startsWith(b, [0xfe, 0xed, 0xfa, 0xcf]) ||
      startsWith(b, [0xce, 0xfa, 0xed, 0xfe]) || startsWith(b, [0xcf, 0xfa, 0xed, 0xfe])) return 'macho';
  if (startsWith(b, [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00])) return 'lnk';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'rar';
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(b, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(b, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(b, [0x4d, 0x53, 0x43, 0x46])) return 'cab';
  if (startsWith(b, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
  if (startsWith(b, [0x43, 0x44, 0x30, 0x30, 0x31], 0x8001)) return 'iso';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46])) return 'pdf';
  if (startsWith(b, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return 'rtf';
  if (startsWith(b, [0xff, 0xd8, 0xff]) || startsWith(b, [0x89, 0x50, 0x4e, 0x47]) || startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'image';
  if (b[0] === 0x23 && b[1] === 0x21) return 'shell'; // #! : Unix scripts, common in technical mail
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 512)).toString('latin1');
  if (SCRIPT_TEXT.test(head)) return 'script';
  return /^[\x09\x0a\x0d\x20-\x7e\x80-\xff]*$/.test(head) ? 'text' : 'unknown';
}

/** Unix scripts: flagged lightly, since developers mail them to each other every day. */
export const UNIX_SCRIPT_EXTENSIONS = new Set(['sh', 'bash', 'zsh', 'csh', 'pl', 'py', 'rb', 'run']);

/** Extensions that run code when opened (Windows shell, Office, Java, disk images that auto-mount). */
export const DANGEROUS_EXTENSIONS = new Set([
  'exe', 'com', 'scr', 'pif', 'bat', 'cmd', 'cpl', 'msi', 'msp', 'msc', 'dll', 'sys', 'vbs', 'vbe', 'js', 'jse',
  'wsf', 'wsh', 'wsc', 'ps1', 'psm1', 'hta', 'jar', 'lnk', 'reg', 'inf', 'scf', 'url', 'application', 'gadget',
  'iso', 'img', 'vhd', 'vhdx', 'appx', 'appxbundle', 'msix', 'command', 'app', 'elf', 'chm', 'xll',
]);
export const MACRO_EXTENSIONS = new Set(['docm', 'dotm', 'xlsm', 'xltm', 'xlam', 'pptm', 'potm', 'ppam', 'ppsm', 'sldm', 'xlsb']);
export const ARCHIVE_EXTENSIONS = new Set(['zip', 'rar', '7z', 'gz', 'tgz', 'bz2', 'xz', 'tar', 'cab', 'ace', 'arj', 'lzh', 'z']);

export function extensionOf(name: string | undefined): string {
  if (!name) return '';
  const m = /\.([a-z0-9]{1,12})\s*$/i.exec(name);
  return m ? m[1]!.toLowerCase() : '';
}
