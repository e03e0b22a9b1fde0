"""The departments the rulebooks name (牵头单位, 配合单位), in English for `--lang en`.

The rulebooks quote each department as its document names it, so the same bureau may appear under several
names (市人社局, 市人力资源社会保障局, 市人力资源和社会保障局); each is given the bureau's usual English name. A name
not listed here is shown as written — tests/test_departments.py makes sure every bundled rulebook's names are."""

from __future__ import annotations

_HRSS = "Municipal Human Resources and Social Security Bureau"
_NDRC = "Municipal Development and Reform Commission"
_MARKET = "Municipal Administration for Market Regulation"
_SCIENCE = "Municipal Science and Technology Bureau"
_VETERANS = "Municipal Veterans Affairs Bureau"
_FINANCE_OFFICE = "Municipal Financial Affairs Office"
_COUNTIES = "county and district governments"
_COLLEGES = "universities and colleges in the city"

DEPARTMENTS_EN = {
    "人民银行威海市分行": "People's Bank of China, Weihai Branch",
    "人民银行鄂尔多斯中心支行": "People's Bank of China, Ordos Central Sub-branch",
    "人民银行鄂尔多斯市中心支行": "People's Bank of China, Ordos Central Sub-branch",
    "人民银行青岛市中心支行": "People's Bank of China, Qingdao Central Sub-branch",
    "人行六安市中心支行": "People's Bank of China, Lu'an Central Sub-branch",
    "人行淮北中心支行": "People's Bank of China, Huaibei Central Sub-branch",
    "六安银监分局": "Lu'an Banking Regulatory Sub-bureau",
    "淮北银保监分局": "Huaibei Banking and Insurance Regulatory Sub-bureau",
    "市银保监分局": "Municipal Banking and Insurance Regulatory Sub-bureau",
    "国家金融监督管理总局威海监管分局": "National Financial Regulatory Administration, Weihai Branch",
    "国家税务总局鄂尔多斯市税务局": "State Taxation Administration, Ordos Municipal Tax Service",
    "市税务局": "Municipal Tax Service",
    "各县区人民政府": _COUNTIES,
    "各县区政府": _COUNTIES,
    "各县区政府（管委）": "county and district governments (administrative committees)",
    "开发区管委": "development zone administrative committees",
    "市高新区管委会": "Administrative Committee of the Municipal High-tech Zone",
    "市煤化工基地管委会": "Administrative Committee of the Municipal Coal Chemical Industry Base",
    "团市委": "Municipal Committee of the Communist Youth League",
    "市委宣传部": "Publicity Department of the Municipal Party Committee",
    "市委组织部": "Organization Department of the Municipal Party Committee",
    "市委机构编制委员会办公室": "Office of the Municipal Commission for Public Sector Reform",
    "市人才办": "Municipal Talent Office",
    "市“五群十链”产业推进组工作专班牵头单位": "lead units of the municipal \"five clusters, ten chains\" industry task forces",
    "市产投公司": "Municipal Industrial Investment Company",
    "市人力资源和社会保障局": _HRSS,
    "市人力资源社会保障局": _HRSS,
    "市人社局": _HRSS,
    "市人民政府金融工作办公室": _FINANCE_OFFICE,
    "市金融办": _FINANCE_OFFICE,
    "市地方金融监管局": "Municipal Local Financial Supervision and Administration Bureau",
    "市发展和改革委员会": _NDRC,
    "市发展改革委": _NDRC,
    "市发改委": _NDRC,
    "市财政局": "Municipal Finance Bureau",
    "市住建委": "Municipal Housing and Urban-Rural Development Commission",
    "市住房和城乡建设局": "Municipal Housing and Urban-Rural Development Bureau",
    "市农业农村局": "Municipal Agriculture and Rural Affairs Bureau",
    "市农委": "Municipal Agriculture Commission",
    "市农牧局": "Municipal Agriculture and Animal Husbandry Bureau",
    "市乡村振兴局": "Municipal Rural Revitalization Bureau",
    "市司法局": "Municipal Justice Bureau",
    "市商务局": "Municipal Commerce Bureau",
    "市大数据局": "Municipal Big Data Bureau",
    "市数据资源局": "Municipal Data Resources Bureau",
    "市妇联": "Municipal Women's Federation",
    "市总工会": "Municipal Federation of Trade Unions",
    "市残疾人联合会": "Municipal Disabled Persons' Federation",
    "市民政局": "Municipal Civil Affairs Bureau",
    "市民营经济局": "Municipal Private Economy Bureau",
    "市工业和信息化局": "Municipal Industry and Information Technology Bureau",
    "市经济和信息化局": "Municipal Economy and Information Technology Bureau",
    "市经信委": "Municipal Economy and Information Technology Commission",
    "市工商质监局": "Municipal Administration for Industry, Commerce and Quality Supervision",
    "市市场监督管理局": _MARKET,
    "市市场监管局": _MARKET,
    "市教育体育局": "Municipal Education and Sports Bureau",
    "市教育局": "Municipal Education Bureau",
    "市文化旅游体育局": "Municipal Culture, Tourism and Sports Bureau",
    "市科学技术局": _SCIENCE,
    "市科技局": _SCIENCE,
    "市行政审批局": "Municipal Administrative Approval Bureau",
    "市行政审批服务局": "Municipal Administrative Approval Service Bureau",
    "市退役军人事务局": _VETERANS,
    "市退役军人局": _VETERANS,
    "市辖区各高校": _COLLEGES,
    "市辖区高校": _COLLEGES,
}


def department_name(name: str, lang: str = "zh") -> str:
    """A department as the user reads it: as the document names it, or its English name with --lang en."""
    return DEPARTMENTS_EN.get(name, name) if lang == "en" else name


def department_names(names: list[str], lang: str = "zh") -> list[str]:
    return [department_name(name, lang) for name in names]


def departments_text(names: list[str], lang: str = "zh") -> str:
    """Several departments in one cell: 、 between them in Chinese, "; " in English (an English name may hold a
    comma: People's Bank of China, Weihai Branch)."""
    return ("、" if lang == "zh" else "; ").join(department_names(names, lang))
