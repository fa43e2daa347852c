export const root: string;
export const CHROMIUM_ARGS: string[];
export function run(command: string, args: string[], options?: object): void;
export function installIsStale(): boolean;
export function ensureInstalled(): void;
export function build(): void;
export function ensureChromium(): string;
export function packageVersion(): string;
