export const runtimeName = 'deno';
