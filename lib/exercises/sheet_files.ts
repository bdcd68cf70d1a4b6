/**
 * The registered sheet files: one line per sheet. Adding a sheet to the catalog is one line here
 * (README, "Add your own sheet"); its claims join the exercises they name, and exercises it
 * defines itself join the catalog.
 *
 * @module
 */

export { default as sheet_000 } from "../../data/sheets/sheet_000.json" with { type: "json" };
export { default as sheet_001 } from "../../data/sheets/sheet_001.json" with { type: "json" };
export { default as sheet_002 } from "../../data/sheets/sheet_002.json" with { type: "json" };
export { default as sheet_003 } from "../../data/sheets/sheet_003.json" with { type: "json" };
export { default as sheet_004 } from "../../data/sheets/sheet_004.json" with { type: "json" };
