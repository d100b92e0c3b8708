// Branded ids: a CPU number can never be passed where a task or page id is expected.
export type CpuId = number & { readonly __brand: 'CpuId' };
export type TaskId = number & { readonly __brand: 'TaskId' };
export type PageId = number & { readonly __brand: 'PageId' };

export const cpuId = (n: number) => n as CpuId;
export const taskId = (n: number) => n as TaskId;
export const pageId = (n: number) => n as PageId;
