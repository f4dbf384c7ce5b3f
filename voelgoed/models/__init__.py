"""SQLModel tables, one module per aggregate. Importing this package registers every table."""

from .audit import AuditLog
from .event_seats import EventArea, EventSeat, EventSeating
from .events import Event, EventSigningKey, EventStatus
from .exports import ExportJob, ExportStatus
from .integrations import DeliveryAttempt, DeliveryStatus, EndpointDelivery, WebhookEndpoint
from .marketing import Campaign, FunnelCount, OrderAttribution, PromoCode, PromoRedemption, TrackedLink
from .outbox import OutboxEntry, OutboxStatus, SentEmail
from .payments import Payment, PaymentStatus, WebhookDelivery
from .refunds import LedgerEntry, LedgerKind, Refund, RefundStatus
from .scanning import Device, Scan, ScanResult
from .seating import SeatingArea, SeatingCategory, SeatingPlan, SeatingPlanVersion, SeatingSeat
from .tenancy import ApiKey, Invitation, Membership, Organization, OrganizationLogo, Role, User, UserSession
from .ticketing import (
    Hold,
    HoldItem,
    HoldStatus,
    Order,
    OrderItem,
    OrderStatus,
    Ticket,
    TicketStatus,
    TicketType,
)
from .venues import Gate, Venue

__all__ = [
    "ApiKey", "AuditLog", "DeliveryAttempt", "DeliveryStatus", "EndpointDelivery", "WebhookEndpoint", "Device", "Event",
    "EventSigningKey", "EventStatus", "Gate", "Hold",
    "HoldItem", "HoldStatus", "Invitation", "LedgerEntry", "LedgerKind", "Refund", "RefundStatus", "Membership", "Order",
    "OrderItem", "OrderStatus",
    "Organization", "OrganizationLogo", "OutboxEntry", "OutboxStatus", "SentEmail", "Payment", "PaymentStatus", "Role", "Scan", "ScanResult", "Ticket",
    "TicketStatus", "TicketType", "User", "UserSession", "Venue", "WebhookDelivery",
    "Campaign", "FunnelCount", "OrderAttribution", "PromoCode", "PromoRedemption", "TrackedLink",
    "SeatingArea", "SeatingCategory", "SeatingPlan", "SeatingPlanVersion", "SeatingSeat",
    "ExportJob", "ExportStatus",
    "EventArea", "EventSeat", "EventSeating",
]
