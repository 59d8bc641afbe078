/** Reasons offered in the refund form. WeChat shows the reason to the payer (at most 80 characters). */
export const REFUND_REASONS = [
  "Customer request 顾客申请退款",
  "Out of stock 商品缺货",
  "Damaged goods 商品破损",
  "Order cancelled 订单取消",
  "Duplicate payment 重复支付",
  "Price adjustment 价格调整",
  "Event cancelled 活动取消",
] as const;

export const MAX_REASON_LENGTH = 80;
