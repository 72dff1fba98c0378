// The data the shell and the window exchange (ui/CONTRACT.md). Every shape that mirrors a
// Rust type is generated from it (generated/contract.ts, by `cargo test -p calwatch --lib
// contract`); only what the window itself adds is written here.
import type { EngineSettings, ShellState } from './generated/contract';

export type * from './generated/contract';

/** The settings the window edits: the engine's, and the shell's login item. */
export type Settings = EngineSettings & Pick<ShellState, 'startAtLogin'>;

/** The views the window can show; also the payload of `calwatch://navigate`. */
export type ViewName = 'setup' | 'calendars' | 'channels' | 'activity' | 'settings' | 'sandbox';
