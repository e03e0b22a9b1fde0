"""The names of the rule model's own codes (benefit categories, periods) in Chinese and English: authors' messages
list them, and the rendering layer shows them."""

CATEGORY = {
    "cash_subsidy": ("补贴", "subsidy"),
    "award": ("奖励", "award"),
    "loan": ("贷款", "loan"),
    "loan_interest_subsidy": ("贷款贴息", "loan interest subsidy"),
    "tax_treatment": ("税收优惠", "tax treatment"),
    "free_space": ("免费场地", "free space"),
    "premises": ("场地支持", "premises support"),
    "personnel_entitlement": ("人事待遇", "personnel entitlement"),
    "investment": ("投资支持", "investment"),
    "service": ("服务", "service"),
    "social_insurance": ("社会保险", "social insurance"),
    "honour": ("荣誉", "honour"),
}

PERIOD = {
    "once": ("一次性", "once"),
    "yearly": ("每年", "yearly"),
    "monthly": ("每月", "monthly"),
    "per_project": ("每个项目", "per project"),
    "in_stages": ("分阶段", "in stages"),
    "ongoing": ("持续", "ongoing"),
}
