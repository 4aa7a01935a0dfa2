// Build plugin: the JavaScript budget. The initial JavaScript (the entry chunk and every chunk it
// imports statically, i.e. what a first visit downloads before anything shows) must stay within
// 200 KiB gzipped, and libraries that only some screens need (the map) must not be in it. A build
// that breaks either rule fails, naming the chunks and modules at fault; every build prints the
// figures.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const kInitialJsBudgetBytes = 200 * 1024;

/** What the check needs of a Rollup output chunk. */
export interface BudgetChunk {
    fileName: string;
    isEntry: boolean;
    imports: readonly string[];
    dynamicImports: readonly string[];
    moduleIds: readonly string[];
    code: string;
}

export interface BudgetOptions {
    limitBytes?: number;
    /** Modules that must load lazily (matched against module ids, e.g. /node_modules\/leaflet\//). */
    lazyOnly?: readonly RegExp[];
}

export interface BudgetReport {
    initial: { fileName: string; gzipBytes: number }[];
    initialGzipBytes: number;
    lazy: { fileName: string; gzipBytes: number }[];
    violations: string[];
}

export const gzipBytes = (code: string) => gzipSync(code).length;

/** The entry chunks and, transitively, every chunk they import statically, in a stable order. */
export function initialChunks(chunks: readonly BudgetChunk[]): BudgetChunk[] {
    const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
    const seen = new Set<string>();
    const order: BudgetChunk[] = [];
    const visit = (chunk: BudgetChunk) => {
        if (seen.has(chunk.fileName)) {
            return;
        }
        seen.add(chunk.fileName);
        order.push(chunk);
        for (const name of chunk.imports) {
            const next = byName.get(name);
            if (next) {
                visit(next);
            }
        }
    };
    chunks.filter((chunk) => chunk.isEntry).forEach(visit);
    return order;
}

export function budgetReport(chunks: readonly BudgetChunk[], { limitBytes = kInitialJsBudgetBytes, lazyOnly = [] }: BudgetOptions = {}, size: (code: string) => number = gzipBytes): BudgetReport {
    const initial = initialChunks(chunks);
    const initialNames = new Set(initial.map((chunk) => chunk.fileName));
    const sized = initial.map((chunk) => ({ fileName: chunk.fileName, gzipBytes: size(chunk.code) }));
    const initialGzipBytes = sized.reduce((sum, chunk) => sum + chunk.gzipBytes, 0);
    const violations: string[] = [];
    if (initialGzipBytes > limitBytes) {
        violations.push(`initial JavaScript is ${kib(initialGzipBytes)} gzipped, over the budget of ${kib(limitBytes)} (${sized.map((c) => `${c.fileName} ${kib(c.gzipBytes)}`).join(', ')})`);
    }
    for (const chunk of initial) {
        for (const id of chunk.moduleIds) {
            if (lazyOnly.some((pattern) => pattern.test(id))) {
                violations.push(`${id} is in the initial chunk ${chunk.fileName}; it must load lazily (import() it from the screen that needs it)`);
            }
        }
    }
    const lazy = chunks.filter((chunk) => !initialNames.has(chunk.fileName)).map((chunk) => ({ fileName: chunk.fileName, gzipBytes: size(chunk.code) }));
    return { initial: sized, initialGzipBytes, lazy, violations };
}

export function kib(bytes: number): string {
    return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function budget(options: BudgetOptions = {}): Plugin {
    return {
        name: 'strava1-budget',
        apply: 'build',
        generateBundle(_outputOptions, bundle) {
            const chunks: BudgetChunk[] = [];
            for (const output of Object.values(bundle)) {
                if (output.type === 'chunk') {
                    chunks.push({ fileName: output.fileName, isEntry: output.isEntry, imports: output.imports, dynamicImports: output.dynamicImports, moduleIds: output.moduleIds, code: output.code });
                }
            }
            const report = budgetReport(chunks, options);
            const limit = options.limitBytes ?? kInitialJsBudgetBytes;
            const lines = [
                `JavaScript budget: initial ${kib(report.initialGzipBytes)} gzip of ${kib(limit)} (${report.initial.map((c) => c.fileName).join(', ')})`,
                ...report.lazy.map((c) => `  lazy ${c.fileName}: ${kib(c.gzipBytes)} gzip`),
            ];
            this.info(lines.join('\n'));
            if (report.violations.length > 0) {
                this.error(`JavaScript budget exceeded:\n- ${report.violations.join('\n- ')}`);
            }
        },
    };
}
