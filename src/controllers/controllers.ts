// The controllers the daemon runs, in start order.
import type { Controller, ControllerContext } from './controller-context.js';

export const controllerConstructors: ((ctx: ControllerContext) => Controller)[] = [];
