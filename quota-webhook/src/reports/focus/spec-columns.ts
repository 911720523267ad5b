/**
 * The FOCUS 1.2 column list, extracted from the specification's column files
 * (https://github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec/tree/v1.2/specification/columns,
 * tag v1.2, commit 7296e3146fb931ee32b6496fa6e4200e7f4384f7): each column's ID, display name, the
 * Content Constraints table, its allowed values and the version that introduced it.
 * FOCUS is (c) Joint Development Foundation Projects, LLC, FOCUS Series and its
 * contributors, licensed CC-BY-4.0. Data only: the export and its validator read it.
 */

export type FocusFeatureLevel = 'Mandatory' | 'Conditional' | 'Recommended';
export type FocusDataType = 'String' | 'Decimal' | 'Date/Time' | 'JSON';

export interface FocusColumnSpec {
  id: string;
  name: string;
  type: 'Dimension' | 'Metric';
  feature_level: FocusFeatureLevel;
  allows_nulls: boolean;
  data_type: FocusDataType;
  value_format: string;
  allowed_values?: readonly string[];
  introduced: string;
}

export const FOCUS_VERSION = '1.2';

export const FOCUS_1_2_COLUMNS: readonly FocusColumnSpec[] = [
  { id: 'AvailabilityZone', name: 'Availability Zone', type: 'Dimension', feature_level: 'Recommended', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'BilledCost', name: 'Billed Cost', type: 'Metric', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '0.5' },
  { id: 'BillingAccountId', name: 'Billing Account ID', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'BillingAccountName', name: 'Billing Account Name', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'BillingAccountType', name: 'Billing Account Type', type: 'Dimension', feature_level: 'Conditional', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '1.2' },
  { id: 'BillingCurrency', name: 'Billing Currency', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: 'Currency Format', introduced: '0.5' },
  { id: 'BillingPeriodEnd', name: 'Billing Period End', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Date/Time', value_format: 'Date/Time Format', introduced: '0.5' },
  { id: 'BillingPeriodStart', name: 'Billing Period Start', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Date/Time', value_format: 'Date/Time Format', introduced: '0.5' },
  { id: 'CapacityReservationId', name: 'Capacity Reservation ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.1' },
  { id: 'CapacityReservationStatus', name: 'Capacity Reservation Status', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Allowed Values', allowed_values: ['Used','Unused'], introduced: '1.1' },
  { id: 'ChargeCategory', name: 'Charge Category', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: 'Allowed values', allowed_values: ['Usage','Purchase','Tax','Credit','Adjustment'], introduced: '0.5' },
  { id: 'ChargeClass', name: 'Charge Class', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: true, data_type: 'String', value_format: 'Allowed values', allowed_values: ['Correction'], introduced: '1.0' },
  { id: 'ChargeDescription', name: 'Charge Description', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'ChargeFrequency', name: 'Charge Frequency', type: 'Dimension', feature_level: 'Recommended', allows_nulls: false, data_type: 'String', value_format: 'Allowed values', allowed_values: ['One-Time','Recurring','Usage-Based'], introduced: '1.0-preview' },
  { id: 'ChargePeriodEnd', name: 'Charge Period End', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Date/Time', value_format: 'Date/Time Format', introduced: '0.5' },
  { id: 'ChargePeriodStart', name: 'Charge Period Start', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Date/Time', value_format: 'Date/Time Format', introduced: '0.5' },
  { id: 'CommitmentDiscountCategory', name: 'Commitment Discount Category', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Allowed Values', allowed_values: ['Spend','Usage'], introduced: '1.0-preview' },
  { id: 'CommitmentDiscountId', name: 'Commitment Discount ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'CommitmentDiscountName', name: 'Commitment Discount Name', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'CommitmentDiscountQuantity', name: 'Commitment Discount Quantity', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.1' },
  { id: 'CommitmentDiscountStatus', name: 'Commitment Discount Status', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Allowed Values', allowed_values: ['Used','Unused'], introduced: '1.0' },
  { id: 'CommitmentDiscountType', name: 'Commitment Discount Type', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'CommitmentDiscountUnit', name: 'Commitment Discount Unit', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Unit Format', introduced: '1.1' },
  { id: 'ConsumedQuantity', name: 'Consumed Quantity', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0' },
  { id: 'ConsumedUnit', name: 'Consumed Unit', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Unit Format recommended', introduced: '1.0' },
  { id: 'ContractedCost', name: 'Contracted Cost', type: 'Metric', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0' },
  { id: 'ContractedUnitPrice', name: 'Contracted Unit Price', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0' },
  { id: 'EffectiveCost', name: 'Effective Cost', type: 'Metric', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '0.5' },
  { id: 'InvoiceId', name: 'Invoice ID', type: 'Dimension', feature_level: 'Recommended', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.2' },
  { id: 'InvoiceIssuerName', name: 'Invoice Issuer', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'ListCost', name: 'List Cost', type: 'Metric', feature_level: 'Mandatory', allows_nulls: false, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0-preview' },
  { id: 'ListUnitPrice', name: 'List Unit Price', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0-preview' },
  { id: 'PricingCategory', name: 'Pricing Category', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Allowed values', allowed_values: ['Standard','Dynamic','Committed','Other'], introduced: '1.0-preview' },
  { id: 'PricingCurrency', name: 'Pricing Currency', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: 'Currency Format', introduced: '1.2' },
  { id: 'PricingCurrencyContractedUnitPrice', name: 'Pricing Currency Contracted Unit Price', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.2' },
  { id: 'PricingCurrencyEffectiveCost', name: 'Pricing Currency Effective Cost', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.2' },
  { id: 'PricingCurrencyListUnitPrice', name: 'Pricing Currency List Unit Price', type: 'Metric', feature_level: 'Conditional', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.2' },
  { id: 'PricingQuantity', name: 'Pricing Quantity', type: 'Metric', feature_level: 'Mandatory', allows_nulls: true, data_type: 'Decimal', value_format: 'Numeric Format', introduced: '1.0-preview' },
  { id: 'PricingUnit', name: 'Pricing Unit', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: true, data_type: 'String', value_format: 'Unit Format', introduced: '1.0-preview' },
  { id: 'ProviderName', name: 'Provider', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'PublisherName', name: 'Publisher', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'RegionId', name: 'Region ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0' },
  { id: 'RegionName', name: 'Region Name', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0' },
  { id: 'ResourceId', name: 'Resource ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'ResourceName', name: 'Resource Name', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'ResourceType', name: 'Resource Type', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'ServiceCategory', name: 'Service Category', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: 'Allowed Values', allowed_values: ['AI and Machine Learning','Analytics','Business Applications','Compute','Databases','Developer Tools','Multicloud','Identity','Integration','Internet of Things','Management and Governance','Media','Migration','Mobile','Networking','Security','Storage','Web','Other'], introduced: '0.5' },
  { id: 'ServiceName', name: 'Service Name', type: 'Dimension', feature_level: 'Mandatory', allows_nulls: false, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'ServiceSubcategory', name: 'Service Subcategory', type: 'Dimension', feature_level: 'Recommended', allows_nulls: false, data_type: 'String', value_format: 'Allowed Values', allowed_values: ['AI Platforms','Bots','Generative AI','Machine Learning','Natural Language Processing','Other (AI and Machine Learning)','Analytics Platforms','Business Intelligence','Data Processing','Search','Streaming Analytics','Other (Analytics)','Productivity and Collaboration','Other (Business Applications)','Containers','End User Computing','Quantum Compute','Serverless Compute','Virtual Machines','Other (Compute)','Caching','Data Warehouses','Ledger Databases','NoSQL Databases','Relational Databases','Time Series Databases','Other (Databases)','Developer Platforms','Continuous Integration and Deployment','Development Environments','Source Code Management','Quality Assurance','Other (Developer Tools)','Identity and Access Management','Other (Identity)','API Management','Messaging','Workflow Orchestration','Other (Integration)','IoT Analytics','IoT Platforms','Other (Internet of Things)','Architecture','Compliance','Cost Management','Data Governance','Disaster Recovery','Endpoint Management','Observability','Support','Other (Management and Governance)','Content Creation','Gaming','Media Streaming','Mixed Reality','Other (Media)','Data Migration','Resource Migration','Other (Migration)','Other (Mobile)','Multicloud Integration','Other (Multicloud)','Application Networking','Content Delivery','Network Connectivity','Network Infrastructure','Network Routing','Network Security','Other (Networking)','Secret Management','Security Posture Management','Threat Detection and Response','Other (Security)','Backup Storage','Block Storage','File Storage','Object Storage','Storage Platforms','Other (Storage)','Application Platforms','Other (Web)','Other (Other)'], introduced: '1.1' },
  { id: 'SkuId', name: 'SKU ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'SkuMeter', name: 'SKU Meter', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.1' },
  { id: 'SkuPriceDetails', name: 'SKU Price Details', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'JSON', value_format: 'Key-Value Format', introduced: '1.1' },
  { id: 'SkuPriceId', name: 'SKU Price ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.0-preview' },
  { id: 'SubAccountId', name: 'Sub Account ID', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'SubAccountName', name: 'Sub Account Name', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '0.5' },
  { id: 'SubAccountType', name: 'Sub Account Type', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'String', value_format: '<not specified>', introduced: '1.2' },
  { id: 'Tags', name: 'Tags', type: 'Dimension', feature_level: 'Conditional', allows_nulls: true, data_type: 'JSON', value_format: 'Key-Value Format', introduced: '1.0-preview' },
];
