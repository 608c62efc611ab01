// The order-and-payment example. Its scenario runner lands with the example issue.
export {};
